import Archives

/// A regular file in a backup repository, as a store lists it.
public struct StoredFile: Sendable, Hashable, Codable {
  /// The full path as users see it: a local path (`/backups/wal/0000…01`), `s3://bucket/key`
  /// or `ssh://host/path`. It is what ``RepositoryStore/read(_:range:)`` and
  /// ``RepositoryStore/open(_:)`` take back.
  public var path: String
  /// The size in bytes.
  public var size: Int64
  /// The modification time in nanoseconds since 1970; 0 when the store does not know it.
  public var modified: Int64
  /// What changes whenever the content does, beyond size and time: an S3 ETag; `nil` when the
  /// store has none (a local file, an SSH host).
  public var version: String?

  public init(path: String, size: Int64, modified: Int64, version: String? = nil) {
    self.path = path
    self.size = size
    self.modified = modified
    self.version = version
  }

  /// The last path component.
  public var name: Substring {
    path.lastIndex(of: "/").map { path[path.index(after: $0)...] } ?? path[...]
  }
}

/// Where the catalog and the executor read a backup repository through: a folder on this
/// machine (``LocalStore``), an S3 bucket, or a folder on a host reached over SSH.
///
/// Three operations, all a remote store can do cheaply: one listing of a whole tree, a read
/// of a byte range (a WAL page header, a backup's `backup_label`, the end of a tar), and a
/// stream read front to back with bounded memory (extraction, wal-fetch). Paths are the full
/// ones ``StoredFile/path`` holds. Errors are thrown as ``StorageError``, or as the `ByteStream`'s
/// own errors while streaming.
public protocol RepositoryStore: Sendable {
  /// Every regular file under `root` (a path the store understands, as the plan wrote it), at
  /// any depth, sorted by path. Folders that could not be read are in
  /// ``StoreListing/problems``; a `root` that is missing or not a folder throws.
  func list(under root: String) throws -> StoreListing

  /// The bytes of `path` in `range` (clipped to the file's end: fewer bytes, or none, past
  /// it), or the whole file when `range` is `nil`.
  func read(_ path: String, range: Range<Int64>?) throws -> [UInt8]

  /// A stream of `path`'s bytes from the start, holding at most a few buffers in memory.
  func open(_ path: String) throws -> any ByteStream

  /// The folder `path` with everything below it as one tar stream (files, folders and
  /// symbolic links, links not followed), or `nil` when the store cannot make one (then each
  /// file is read with ``open(_:)``). The caller reads the stream to its end, past the tar's
  /// end-of-archive blocks, so that a failure at the far end is reported.
  func openFolderArchive(_ path: String) throws -> (any ByteStream)?

  /// The files under `root` called `name` or `name` plus a suffix (`NAME.gz`), found by the
  /// store itself (one request), or `nil` when it cannot: then ``list(under:)`` is filtered.
  func list(under root: String, named name: String) throws -> StoreListing?

  /// The first `length` bytes of each file (fewer for a shorter one), in order: what
  /// ``read(_:range:)`` with `0..<length` gives, or the error it throws. A remote store reads
  /// many in one request (SSH: one command) or several at once (S3); the default reads them
  /// one after another. `files` are as the listing gave them (their sizes tell how many bytes
  /// to expect).
  func readStarts(of files: [StoredFile], length: Int64) -> [Result<[UInt8], any Error>]

  /// Each of `files` whole, in order, handed to `consume` with its index as it arrives: its
  /// bytes, or `nil` when this read could not give them exactly as listed (missing,
  /// unreadable, changed, a dropped connection), so that the caller reads that file the
  /// ordinary way (``open(_:)``), for its own message. `consume` is called from one thread,
  /// in order, and may block to hold the reading back; it returns false to stop (the rest is
  /// not read). A remote store streams many files per request (SSH: one command for many)
  /// or several at once (S3); the default reads them one after another.
  func readWhole(_ files: [StoredFile], consume: (Int, [UInt8]?) -> Bool)
}

extension RepositoryStore {
  public func list(under root: String, named name: String) throws -> StoreListing? { nil }

  public func readStarts(of files: [StoredFile], length: Int64) -> [Result<[UInt8], any Error>] {
    readStartsOneByOne(files, length: length)
  }

  public func readWhole(_ files: [StoredFile], consume: (Int, [UInt8]?) -> Bool) {
    readWholeOneByOne(files, consume: consume)
  }

  /// ``readWhole(_:consume:)`` as one ``read(_:range:)`` per file, `nil` for a file that
  /// cannot be read or whose size is not the listed one.
  public func readWholeOneByOne(_ files: [StoredFile], consume: (Int, [UInt8]?) -> Bool) {
    for (index, file) in files.enumerated() {
      let bytes = (try? read(file.path, range: nil)).flatMap { $0.count == file.size ? $0 : nil }
      if !consume(index, bytes) { return }
    }
  }

  /// ``readStarts(of:length:)`` as one ``read(_:range:)`` per file.
  public func readStartsOneByOne(_ files: [StoredFile], length: Int64) -> [Result<[UInt8], any Error>] {
    files.map { file in Result { try read(file.path, range: 0..<length) } }
  }
  public func openFolderArchive(_ path: String) throws -> (any ByteStream)? { nil }
}

/// What ``RepositoryStore/list(under:)`` found.
public struct StoreListing: Sendable, Hashable {
  /// The regular files, sorted by path.
  public var files: [StoredFile]
  /// The folders below the root that could not be read, with why (`cannot read PATH: REASON`).
  public var problems: [StorageError]

  public init(files: [StoredFile], problems: [StorageError] = []) {
    self.files = files
    self.problems = problems
  }
}

/// A repository that cannot be read as asked.
public struct StorageError: Error, Sendable, Hashable, CustomStringConvertible {
  public enum Kind: String, Sendable, Hashable {
    /// The root or the file does not exist.
    case notFound
    /// The root is a file, not a folder.
    case notAFolder
    /// The store refused (permissions, access denied).
    case denied
    /// Anything else the store or the system reported.
    case failed
  }

  public var kind: Kind
  /// The path as users see it.
  public var path: String
  /// The system's or the service's reason.
  public var reason: String

  public init(_ kind: Kind, path: String, reason: String) {
    self.kind = kind
    self.path = path
    self.reason = reason
  }

  /// `cannot read PATH: REASON`.
  public var description: String { "cannot read \(path): \(reason)" }
}
