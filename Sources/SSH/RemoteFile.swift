/// A regular file found on the remote host by ``SSHSession/list(under:)``.
public struct RemoteFile: Hashable, Sendable {
  /// Its path relative to the folder listed, `wal/2025-07-01/000000010000000000000003`.
  public var path: String
  /// Its size in bytes (a link's target's).
  public var size: Int64
  /// Its modification time in nanoseconds since 1970 (a link's target's).
  public var modified: Int64

  public init(path: String, size: Int64, modified: Int64) {
    self.path = path
    self.size = size
    self.modified = modified
  }
}

/// What ``SSHSession/list(under:)`` found: the files, sorted by path, and the folders below
/// that could not be read (`find`'s complaints), as the local walker reports them.
public struct RemoteListing: Hashable, Sendable {
  public var files: [RemoteFile]
  public var problems: [String]

  public init(files: [RemoteFile], problems: [String]) {
    self.files = files
    self.problems = problems
  }
}
