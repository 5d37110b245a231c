import Foundation
import PlanModel

/// Loads a plan file: reads it, parses the YAML, checks every key against `PlanFormat`, and
/// builds a `Plan`, reporting all problems of the file in one run, in file order.
public struct PlanLoader {
  /// Plans larger than this are refused before parsing (a real plan is a few KB).
  public static let maximumFileSize = 1 << 20

  /// The environment `${NAME}` references are read from.
  public var environment: [String: String]

  public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
    self.environment = environment
  }

  /// The outcome of loading one plan.
  public struct Result: Sendable {
    /// The plan, when it has no errors.
    public var plan: Plan?
    /// Every problem found, in file order.
    public var diagnostics: [Diagnostic]
    /// The file's text, for showing the lines diagnostics point at (`nil` if unreadable).
    public var source: SourceText?
  }

  /// Why a plan file could not be read at all (a usage problem, not a plan problem).
  public struct FileError: Error, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "cannot read plan '\(path)': \(reason)" }
  }

  /// Loads the plan file at `path` (as the user wrote it; used in every location).
  ///
  /// - Throws: `FileError` when the file is missing, a directory, or unreadable.
  public func load(contentsOf path: String) throws -> Result {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      throw FileError(path: path, reason: "no such file")
    }
    if isDirectory.boolValue { throw FileError(path: path, reason: "it is a directory") }
    guard let handle = FileHandle(forReadingAtPath: path) else {
      throw FileError(path: path, reason: "permission denied")
    }
    defer { try? handle.close() }
    let data: Data
    do {
      data = try handle.read(upToCount: Self.maximumFileSize + 1) ?? Data()
    } catch {
      throw FileError(path: path, reason: error.localizedDescription)
    }
    if data.count > Self.maximumFileSize {
      let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? data.count
      let megabytes = String(format: "%.1f", Double(size) / 1_000_000)
      return Result(
        plan: nil,
        diagnostics: [
          .error(
            "the plan file is \(megabytes) MB; a plan is at most 1 MB of YAML, "
              + "so this is probably not a plan file",
            at: SourceLocation(file: path, line: 1, column: 1))
        ], source: nil)
    }
    return load(bytes: [UInt8](data), file: path)
  }

  /// Loads a plan from bytes already in memory; `file` names it in locations.
  public func load(bytes: [UInt8], file: String) -> Result {
    let source: SourceText
    switch SourceText.decode(file: file, bytes: bytes) {
    case .success(let text): source = text
    case .failure(let diagnostic): return Result(plan: nil, diagnostics: [diagnostic], source: nil)
    }
    let context = LoadingContext(source: source, environment: environment)
    let (root, yamlDiagnostics) = YAMLComposer.compose(source)
    yamlDiagnostics.forEach(context.report)
    var plan: Plan?
    if let root,
      case .section(let checked)? = context.checkSection(
        root, PlanFormat.root, path: .root, keyLocation: context.startOfFile)
    {
      plan = PlanBuilder(context: context, fileStem: Self.stem(of: file)).build(checked)
    }
    let diagnostics = context.diagnostics.inFileOrder()
    return Result(plan: diagnostics.hasErrors ? nil : plan, diagnostics: diagnostics, source: source)
  }

  /// The file name without directories and its last extension.
  static func stem(of path: String) -> String {
    let name = path.split(separator: "/").last.map(String.init) ?? path
    guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return name }
    return String(name[..<dot])
  }
}
