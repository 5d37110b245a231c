/// What `lstat` (or `stat`) says of a path: the few fields extraction looks at.
struct FileStatus: Hashable, Sendable {
  /// The kinds of file extraction tells apart.
  enum Kind: Hashable, Sendable {
    case regularFile, directory, symbolicLink
    /// A device, FIFO or socket, with a phrase naming it for messages.
    case other(String)
  }

  /// What kind of file it is.
  var kind: Kind
  /// Its size in bytes.
  var size: Int64
  /// Its permission bits (`0o777`).
  var mode: UInt32
  /// Its modification time, in whole seconds since 1970.
  var modificationTime: Int64
}
