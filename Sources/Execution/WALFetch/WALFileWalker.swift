import PostgresVocabulary

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Finds the WAL files below archive folders, at any depth, by name alone.
///
/// Unlike the catalog's walker it does not `stat` every file: the directory entry's type is
/// enough, so listing 100,000 files in 1,000 dated folders costs one `readdir` pass. Links to
/// files are followed; links to folders are not (an archive with a loop must not hang us).
/// `.partial` files and names that are not WAL file names are left out, and so are folders
/// whose names hold a tab or a line break (the index file cannot write them down).
///
/// It notes each folder's modification time as it reads it: a folder gains that time again
/// whenever a file is added, removed or renamed in it, which is how the index knows it is
/// still current.
struct WALFileWalker {
  /// One archived WAL file.
  struct Entry: Hashable {
    /// The name PostgreSQL asks for: the file's name without compression suffix.
    var name: String
    /// The file's path.
    var path: String
    /// Which of the walked folders it is in (0 for the first).
    var root: Int
  }

  /// A folder that was read.
  struct Directory: Hashable {
    /// The folder's path.
    var path: String
    /// Its modification time just before it was read, in nanoseconds since 1970.
    var modified: Int64
  }

  /// The files found, in no particular order.
  private(set) var entries: [Entry] = []
  /// The folders read, roots first.
  private(set) var directories: [Directory] = []
  /// Folders that could not be read, with the reason.
  private(set) var problems: [String] = []
  /// When set, only files with this name are kept.
  private let wanted: String?

  /// Walks `roots` in order, keeping every WAL file or only those named `wanted`.
  init(roots: [String], wanted: String? = nil) {
    self.wanted = wanted
    for (index, root) in roots.enumerated() {
      walk(directory: root, root: index)
    }
  }

  private mutating func walk(directory: String, root: Int) {
    guard let handle = opendir(directory) else {
      problems.append("cannot read \(directory): \(String(cString: strerror(errno)))")
      return
    }
    defer { closedir(handle) }
    let descriptor = dirfd(handle)
    var info = stat()
    if fstat(descriptor, &info) == 0 {
      directories.append(Directory(path: directory, modified: Self.nanoseconds(info.st_mtim)))
    }
    var subdirectories: [String] = []
    while let entry = readdir(handle) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
        String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
      }
      if name == "." || name == ".." { continue }
      switch kind(of: entry.pointee.d_type, name: name, in: descriptor) {
      case .file: keep(name: name, in: directory, root: root)
      case .directory:
        if name.utf8.contains(where: { $0 == 0x09 || $0 == 0x0A }) { continue }
        subdirectories.append(Self.join(directory, name))
      case .other: continue
      }
    }
    for subdirectory in subdirectories {
      walk(directory: subdirectory, root: root)
    }
  }

  private enum EntryKind { case file, directory, other }

  /// What an entry is: from its type when the file system says, else from `stat`.
  private func kind(of type: UInt8, name: String, in descriptor: Int32) -> EntryKind {
    switch Int32(type) {
    case Int32(DT_REG): return .file
    case Int32(DT_DIR): return .directory
    case Int32(DT_LNK), Int32(DT_UNKNOWN):
      var info = stat()
      guard fstatat(descriptor, name, &info, 0) == 0 else { return .other }
      switch info.st_mode & S_IFMT {
      case S_IFREG: return .file
      case S_IFDIR:
        // A link to a folder is not followed; a real folder (DT_UNKNOWN) is.
        var linkInfo = stat()
        guard fstatat(descriptor, name, &linkInfo, AT_SYMLINK_NOFOLLOW) == 0 else { return .other }
        return linkInfo.st_mode & S_IFMT == S_IFLNK ? .other : .directory
      default: return .other
      }
    default: return .other
    }
  }

  private mutating func keep(name: String, in directory: String, root: Int) {
    if let wanted, !name.utf8.starts(with: wanted.utf8) { return }
    guard let file = WALFileName(name), !file.isPartial else { return }
    let key = String(name.dropLast(file.suffix.count))
    if let wanted, key != wanted { return }
    entries.append(Entry(name: key, path: Self.join(directory, name), root: root))
  }

  private static func join(_ directory: String, _ name: String) -> String {
    directory == "/" ? "/" + name : directory + "/" + name
  }

  /// A `stat` time in nanoseconds since 1970.
  static func nanoseconds(_ time: timespec) -> Int64 {
    Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
  }
}
