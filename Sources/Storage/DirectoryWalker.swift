#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Finds the regular files below a folder, at any depth: the one walker of base backup
/// folders and WAL archives, used by ``LocalStore``, the catalog's scan and `pitr wal-fetch`'s
/// index (the catalog's `WALArchiveIndex`).
///
/// It uses `readdir` and `fstatat` directly: a WAL archive can hold 100,000 files in 1,000
/// dated folders, and Foundation's enumerator costs several times more per file. What an
/// entry is comes from `readdir`'s entry type, so a file is `stat`ed only when its size and
/// modification time are asked for (``Detail/sizeAndTime``, what the catalog keys its cache
/// on) or when the type is a link or unknown: listing names alone (``Detail/nameOnly``) costs
/// one `readdir` pass. Symbolic links to files are followed; links to folders are not (an
/// archive with a loop must not hang us); a dangling link, or a file removed while we walk,
/// is passed over.
///
/// It notes each folder's modification time as it reads it: a folder gains that time again
/// whenever a file is added, removed or renamed in it, which is how the index knows it is
/// still current.
public struct DirectoryWalker {
  /// What is learnt about each file.
  public enum Detail: Sendable {
    /// Its size and modification time too (one `stat` per file).
    case sizeAndTime
    /// Its name only; size and modification time are 0, unless the entry was a link.
    case nameOnly
  }

  /// A folder that could not be read, and why.
  public struct Problem: Hashable, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String

    public init(path: String, reason: String) {
      self.path = path
      self.reason = reason
    }

    /// `cannot read PATH: REASON`.
    public var description: String { "cannot read \(path): \(reason)" }
  }

  /// A folder that was read.
  public struct Folder: Hashable, Sendable {
    /// The folder's path.
    public var path: String
    /// Its modification time just before it was read, in nanoseconds since 1970.
    public var modified: Int64
  }

  /// One regular file found.
  public struct Entry {
    /// The folder holding it.
    public var directory: String
    /// Its name in that folder.
    public var name: String
    /// Its size in bytes (0 when only names were asked for).
    public var size: Int64
    /// Its modification time in nanoseconds since 1970 (0 when only names were asked for).
    public var modified: Int64

    /// The file's path.
    public var path: String { DirectoryWalker.join(directory, name) }
  }

  /// What is learnt about each file.
  public let detail: Detail
  /// The folders read so far, each root before the folders below it.
  public private(set) var folders: [Folder] = []
  /// The folders that could not be read so far.
  public private(set) var problems: [Problem] = []
  /// Whether to go into a folder, by its name; `nil` for every folder.
  private let entersFolder: ((String) -> Bool)?

  /// A walker learning `detail` about each file, that goes into the folders whose names
  /// `entersFolder` accepts (every folder when it is `nil`).
  public init(detail: Detail, entersFolder: ((String) -> Bool)? = nil) {
    self.detail = detail
    self.entersFolder = entersFolder
  }

  /// Walks `root`, calling `visit` with each regular file, folder by folder: a folder's files
  /// come before those of its subfolders, in no particular order.
  public mutating func walk(_ root: String, visit: (Entry) -> Void) {
    walk(directory: root, visit: visit)
  }

  private mutating func walk(directory: String, visit: (Entry) -> Void) {
    guard let handle = opendir(directory) else {
      problems.append(Problem(path: directory, reason: String(cString: strerror(errno))))
      return
    }
    defer { closedir(handle) }
    let descriptor = dirfd(handle)
    var info = stat()
    if fstat(descriptor, &info) == 0 {
      folders.append(Folder(path: directory, modified: Self.nanoseconds(info.st_mtim)))
    }
    var subdirectories: [String] = []
    while let entry = readdir(handle) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
        String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
      }
      if name == "." || name == ".." { continue }
      switch kind(of: entry.pointee.d_type, name: name, in: descriptor) {
      case .file(let size, let modified):
        visit(Entry(directory: directory, name: name, size: size, modified: modified))
      case .directory:
        if let entersFolder, !entersFolder(name) { continue }
        subdirectories.append(Self.join(directory, name))
      case .other:
        continue
      }
    }
    for subdirectory in subdirectories {
      walk(directory: subdirectory, visit: visit)
    }
  }

  private enum EntryKind {
    case file(size: Int64, modified: Int64)
    case directory
    case other
  }

  /// What an entry is: from its type when the file system says, else from `stat`.
  private func kind(of type: UInt8, name: String, in descriptor: Int32) -> EntryKind {
    switch Int32(type) {
    case Int32(DT_DIR):
      return .directory
    case Int32(DT_REG) where detail == .nameOnly:
      return .file(size: 0, modified: 0)
    case Int32(DT_REG), Int32(DT_LNK), Int32(DT_UNKNOWN):
      var info = stat()
      guard fstatat(descriptor, name, &info, 0) == 0 else { return .other }
      switch info.st_mode & S_IFMT {
      case S_IFREG:
        return .file(size: Int64(info.st_size), modified: Self.nanoseconds(info.st_mtim))
      case S_IFDIR:
        // A link to a folder is not followed; a real folder (DT_UNKNOWN) is.
        var linkInfo = stat()
        guard fstatat(descriptor, name, &linkInfo, AT_SYMLINK_NOFOLLOW) == 0 else { return .other }
        return linkInfo.st_mode & S_IFMT == S_IFLNK ? .other : .directory
      default:
        return .other
      }
    default:
      return .other
    }
  }

  public static func join(_ directory: String, _ name: String) -> String {
    directory == "/" ? "/" + name : directory + "/" + name
  }

  /// A `stat` time in nanoseconds since 1970.
  public static func nanoseconds(_ time: timespec) -> Int64 {
    Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
  }
}
