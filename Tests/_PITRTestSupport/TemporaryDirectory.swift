import Foundation

/// A fresh directory under the system's temporary folder, removed by `remove()`.
public struct TemporaryDirectory: Sendable {
  public let path: String

  /// Creates `<parent>/pitr-tests-<label>-<random>`; `parent` is the system's temporary
  /// folder (`/tmp`) unless given.
  public init(_ label: String = "test", in parent: String? = nil) throws {
    let base = parent ?? FileManager.default.temporaryDirectory.path
    path = "\(base)/pitr-tests-\(label)-\(UUID().uuidString.prefix(8))"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }

  /// The path of a file inside the directory.
  public func file(_ name: String) -> String { "\(path)/\(name)" }

  /// Writes text to a file inside the directory and returns its path.
  @discardableResult
  public func write(_ text: String, to name: String) throws -> String {
    let target = file(name)
    try FileManager.default.createDirectory(
      atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try Data(text.utf8).write(to: URL(fileURLWithPath: target))
    return target
  }

  public func remove() {
    try? FileManager.default.removeItem(atPath: path)
  }
}
