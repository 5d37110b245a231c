import Storage

/// A regular file found while scanning a backup folder, with what identifies its version.
public struct ScannedFile: Hashable, Sendable, Codable {
  /// The absolute path.
  public var path: String
  /// The last path component.
  public var name: String
  /// The size in bytes.
  public var size: Int64
  /// The modification time, in nanoseconds since 1970.
  public var modified: Int64

  public init(path: String, size: Int64, modified: Int64) {
    self.path = path
    self.name = path.lastIndex(of: "/").map { String(path[path.index(after: $0)...]) } ?? path
    self.size = size
    self.modified = modified
  }

  /// The folder holding the file.
  public var directory: Substring {
    path.lastIndex(of: "/").map { path[..<$0] } ?? ""
  }
}

extension ScannedFile {
  /// Made by a folder walk, which already knows the name.
  init(directory: String, name: String, size: Int64, modified: Int64) {
    self.path = directory == "/" ? "/" + name : directory + "/" + name
    self.name = name
    self.size = size
    self.modified = modified
  }
}

extension DirectoryWalker {
  /// Every regular file below `root` with its size and modification time, sorted by path,
  /// and the folders that could not be read.
  public static func files(under root: String) -> (files: [ScannedFile], problems: [Problem]) {
    var walker = DirectoryWalker(detail: .sizeAndTime)
    var files: [ScannedFile] = []
    walker.walk(root) { entry in
      files.append(
        ScannedFile(
          directory: entry.directory, name: entry.name, size: entry.size, modified: entry.modified))
    }
    files.sort { $0.path < $1.path }
    return (files, walker.problems)
  }
}
