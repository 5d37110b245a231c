import Foundation
import Testing

/// The environment variable that re-records golden files: `PITR_RECORD_SNAPSHOTS=1`.
public let snapshotRecordingVariable = "PITR_RECORD_SNAPSHOTS"

/// Compares text with a golden file `Snapshots/<name>.<extension>` beside the calling test
/// file, in the manner of swift-argument-parser's `assertSnapshot`.
///
/// The text is first normalised (``SnapshotNormalization``: line endings, then the
/// replacements that make it the same on every machine). On a mismatch the test fails with a
/// unified diff of the first lines that differ and the command that re-records.
///
/// Recording: with `PITR_RECORD_SNAPSHOTS=1` in the environment the file is rewritten. A
/// golden file that was missing or whose bytes changed fails the test ("recorded …"), as
/// argument-parser's does, so a recording run can never pass by accident in CI and lists
/// exactly the files to review with `git diff`; a file whose bytes stay the same passes. A
/// missing golden file is recorded and fails even without the variable.
///
/// - Parameters:
///   - actual: The output, before normalisation.
///   - name: The golden file's name without its extension.
///   - extension: `txt` unless given (`json`, `dot`, `svg`).
///   - normalization: What to replace; line endings alone unless given.
public func expectSnapshot(
  _ actual: String, named name: String, extension: String = "txt",
  normalization: SnapshotNormalization = SnapshotNormalization(),
  filePath: String = #filePath, fileID: String = #fileID,
  sourceLocation: Testing.SourceLocation = #_sourceLocation
) {
  let directory = URL(fileURLWithPath: filePath).deletingLastPathComponent()
    .appendingPathComponent("Snapshots")
  let file = directory.appendingPathComponent("\(name).\(`extension`)")
  let shownPath = "\(fileID.split(separator: "/").first ?? "")/Snapshots/\(file.lastPathComponent)"
  let normalized = normalization.apply(to: actual)
  let expected = try? String(contentsOf: file, encoding: .utf8)
  if expected == normalized { return }
  if SnapshotNormalization.isRecording || expected == nil {
    do {
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
      try Data(normalized.utf8).write(to: file)
    } catch {
      Issue.record("cannot write \(file.path): \(error)", sourceLocation: sourceLocation)
      return
    }
    let what = expected == nil ? "a new snapshot" : "a changed snapshot"
    Issue.record(
      "recorded \(what) Tests/\(shownPath); review it (git diff) and run the test again without \(snapshotRecordingVariable)",
      sourceLocation: sourceLocation)
    return
  }
  let rerecord = "\(snapshotRecordingVariable)=1 swift test --filter \(rerecordFilter(fileID))"
  let report =
    "snapshot Tests/\(shownPath) differs from the output:\n"
    + unifiedDiff(expected: expected ?? "", actual: normalized, expectedName: "Tests/\(shownPath)")
    + "if the new output is right, re-record it with \(rerecord) and review git diff"
  Issue.record(Comment(rawValue: report), sourceLocation: sourceLocation)
}

/// `Module.FileStem`: the suite of a test file named after its suite (the repository's habit).
func rerecordFilter(_ fileID: String) -> String {
  let parts = fileID.split(separator: "/")
  guard let module = parts.first, let file = parts.last else { return fileID }
  return "'\(module).\(file.replacingOccurrences(of: ".swift", with: ""))'"
}

/// A unified diff of the one region where two texts differ (their common first and last
/// lines taken away), with up to three lines of context and at most `limit` changed lines
/// of each side shown.
public func unifiedDiff(expected: String, actual: String, expectedName: String, limit: Int = 12) -> String {
  let old = expected.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
  let new = actual.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
  var prefix = 0
  while prefix < min(old.count, new.count), old[prefix] == new[prefix] { prefix += 1 }
  var suffix = 0
  while suffix < min(old.count, new.count) - prefix, old[old.count - 1 - suffix] == new[new.count - 1 - suffix] {
    suffix += 1
  }
  let context = 3
  let start = max(0, prefix - context)
  let removed = Array(old[prefix..<(old.count - suffix)])
  let added = Array(new[prefix..<(new.count - suffix)])
  let after = Array(old[(old.count - suffix)..<min(old.count, old.count - suffix + context)])
  let before = Array(old[start..<prefix])
  func range(_ count: Int) -> String { "\(start + 1),\(before.count + count + after.count)" }
  var lines = ["--- \(expectedName)", "+++ output", "@@ -\(range(removed.count)) +\(range(added.count)) @@"]
  lines += before.map { " \($0)" }
  lines += removed.prefix(limit).map { "-\($0)" }
  if removed.count > limit { lines.append("-… \(removed.count - limit) more lines") }
  lines += added.prefix(limit).map { "+\($0)" }
  if added.count > limit { lines.append("+… \(added.count - limit) more lines") }
  lines += after.map { " \($0)" }
  return lines.joined(separator: "\n") + "\n"
}

/// What makes output the same on every machine before it is compared with a golden file: the
/// one place the machine-dependent parts (temporary folders, the `pitr` executable's path,
/// hashes of paths) are replaced by fixed tokens.
public struct SnapshotNormalization: Sendable {
  /// Literal replacements, applied in order (longest first is the caller's business).
  public var replacements: [(String, String)]
  /// JSON keys whose string values depend on the machine (a hash over temporary paths and
  /// file dates); each value becomes `<machine-dependent>`.
  public var machineDependentKeys: [String]

  public init(replacements: [(String, String)] = [], machineDependentKeys: [String] = []) {
    self.replacements = replacements
    self.machineDependentKeys = machineDependentKeys
  }

  /// For a `pitr` run over files in `folder`: the folder becomes `token` (also as the real
  /// path when it is reached through a symbolic link, as `/tmp` can be), the built `pitr`
  /// executable becomes `pitr`, and the compiled plan's `catalogFingerprint` (a hash of
  /// paths and file dates) is masked.
  public static func pitrOutput(folder: String, token: String = "/TMP") -> SnapshotNormalization {
    var replacements: [(String, String)] = []
    let executable = RepositoryPaths.pitrExecutable
    replacements.append((executable, "pitr"))
    let resolved = URL(fileURLWithPath: executable).resolvingSymlinksInPath().path
    if resolved != executable { replacements.append((resolved, "pitr")) }
    let realFolder = URL(fileURLWithPath: folder).resolvingSymlinksInPath().path
    if realFolder != folder { replacements.append((realFolder, token)) }
    replacements.append((folder, token))
    return SnapshotNormalization(replacements: replacements, machineDependentKeys: ["catalogFingerprint"])
  }

  /// Whether this run re-records golden files (`PITR_RECORD_SNAPSHOTS` set and not `0`).
  public static var isRecording: Bool {
    let value = ProcessInfo.processInfo.environment[snapshotRecordingVariable] ?? ""
    return !value.isEmpty && value != "0"
  }

  /// The text with `\r\n` made `\n` and the replacements made.
  public func apply(to text: String) -> String {
    var result = text.replacingOccurrences(of: "\r\n", with: "\n")
    for (old, new) in replacements where !old.isEmpty {
      result = result.replacingOccurrences(of: old, with: new)
    }
    for key in machineDependentKeys {
      result = result.replacingOccurrences(
        of: #""\#(key)" : "[^"]*""#, with: #""\#(key)" : "<machine-dependent>""#,
        options: .regularExpression)
    }
    return result
  }
}
