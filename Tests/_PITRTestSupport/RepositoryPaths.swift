import Foundation

/// Paths of the repository and its build products, for tests that read `plans/` or run the
/// `pitr` executable.
public enum RepositoryPaths {
  /// The repository root (found from this file's path).
  public static let root: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
  }()

  /// The `pitr` executable `swift build` or `swift test` produced beside the test bundle.
  public static var pitrExecutable: String {
    let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    let candidates = [
      bundle.appendingPathComponent("pitr").path,
      bundle.deletingLastPathComponent().appendingPathComponent("pitr").path,
      "\(root)/.build/debug/pitr",
    ]
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
      ?? candidates[0]
  }

  /// The example plans in `plans/`.
  public static var examplePlans: [String] {
    let directory = "\(root)/plans"
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    return names.filter { $0.hasSuffix(".yaml") }.sorted().map { "\(directory)/\($0)" }
  }
}
