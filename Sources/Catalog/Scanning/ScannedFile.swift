import Storage

/// A regular file found while scanning a backup folder, with what identifies its version.
public struct ScannedFile: Hashable, Sendable, Codable {
  /// The absolute path.
  public var path: String
  /// The last path component.
  public var name: String
  /// The size in bytes.
  public var size: Int64
  /// The modification time, in nanoseconds since 1970 (0 when the store does not know it).
  public var modified: Int64
  /// What changes with the content beyond size and time (an S3 ETag); `nil` when the store
  /// has none.
  public var version: String?

  public init(path: String, size: Int64, modified: Int64, version: String? = nil) {
    self.path = path
    self.name = path.lastIndex(of: "/").map { String(path[path.index(after: $0)...]) } ?? path
    self.size = size
    self.modified = modified
    self.version = version
  }

  /// A file a store listed.
  public init(_ stored: StoredFile) {
    self.init(path: stored.path, size: stored.size, modified: stored.modified, version: stored.version)
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

  /// ``files(under:)`` for a local folder; for a remote one (`ssh://…`, `s3://…`), the
  /// listing of the run's store for it (``RepositoryStores/current``). A remote root that
  /// cannot be listed at all is one problem.
  public static func files(
    under root: String, stores: RepositoryStores
  ) -> (files: [ScannedFile], problems: [Problem]) {
    guard RepositoryStores.isRemote(root) else { return files(under: root) }
    do {
      let listing = try stores.store(for: root).list(under: root)
      return (
        listing.files.map(ScannedFile.init),
        listing.problems.map { Problem(path: $0.path, reason: $0.reason) }
      )
    } catch let error as StorageError {
      return ([], [Problem(path: root, reason: error.reason)])
    } catch {
      return ([], [Problem(path: root, reason: "\(error)")])
    }
  }
}
