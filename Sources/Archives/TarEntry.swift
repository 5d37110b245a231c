/// One member of a tar archive, as its headers describe it.
///
/// Paths are reported as stored: pg_basebackup's members look like `backup_label`,
/// `./pg_wal/archive_status/` and `global/pg_control`. Use ``archivePath`` to compare them or to
/// refuse paths that would escape the directory being extracted into.
public struct TarEntry: Hashable, Sendable {
  /// What kind of file the entry is.
  public enum Kind: Hashable, Sendable {
    /// A regular file (type `0`, NUL, or the contiguous file `7`).
    case regularFile
    /// A directory (type `5`, or an old-style NUL type whose name ends in `/`).
    case directory
    /// A symbolic link (type `2`); ``TarEntry/linkTarget`` is where it points.
    case symbolicLink
    /// A hard link (type `1`) to an earlier member; ``TarEntry/linkTarget`` is that member's path.
    case hardLink
    /// Anything else (devices, FIFOs, GNU sparse files, …), with the header's type flag byte.
    case other(typeFlag: UInt8)
  }

  /// The path as stored (after pax `path` and GNU long-name records are applied).
  public var path: String
  /// What kind of file it is.
  public var kind: Kind
  /// How many data bytes follow the header: 0 for directories, links and devices.
  public var size: Int64
  /// The permission bits (and set-id bits) from the header.
  public var mode: UInt32
  /// The modification time, in whole seconds since 1970 (pax fractions are dropped).
  public var modificationTime: Int64
  /// The owner's numeric user id.
  public var uid: Int
  /// The owner's numeric group id.
  public var gid: Int
  /// The owner's user name, if stored.
  public var userName: String
  /// The owner's group name, if stored.
  public var groupName: String
  /// For links, what the link points to (pax `linkpath`, GNU long link, or the header's field).
  public var linkTarget: String?
  /// The offset of the entry's own header block in the tar stream (after any extended headers).
  public var headerOffset: Int64

  /// Makes an entry; the reader fills every field from the headers.
  public init(
    path: String, kind: Kind, size: Int64 = 0, mode: UInt32 = 0o644, modificationTime: Int64 = 0,
    uid: Int = 0, gid: Int = 0, userName: String = "", groupName: String = "",
    linkTarget: String? = nil, headerOffset: Int64 = 0
  ) {
    self.path = path
    self.kind = kind
    self.size = size
    self.mode = mode
    self.modificationTime = modificationTime
    self.uid = uid
    self.gid = gid
    self.userName = userName
    self.groupName = groupName
    self.linkTarget = linkTarget
    self.headerOffset = headerOffset
  }

  /// The path normalized for comparison and extraction, with escapes flagged.
  public var archivePath: ArchivePath { ArchivePath(path) }
}
