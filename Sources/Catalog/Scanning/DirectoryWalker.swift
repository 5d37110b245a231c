#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Lists every regular file below a folder, at any depth, with its size and modification time.
///
/// It uses `readdir` and `fstatat` directly: a WAL archive can hold 100,000 files in 1,000
/// dated folders, and Foundation's enumerator costs several times more per file. Symbolic links
/// to files are followed; links to folders are not (an archive with a loop must not hang us).
struct DirectoryWalker {
  /// A folder that could not be read, and why.
  struct Problem: Hashable {
    var path: String
    var reason: String
  }

  private(set) var files: [ScannedFile] = []
  private(set) var problems: [Problem] = []

  /// Walks `root`; its files and problems are in `files` and `problems`, files sorted by path.
  init(root: String) {
    walk(directory: root)
    files.sort { $0.path < $1.path }
  }

  private mutating func walk(directory: String) {
    guard let handle = opendir(directory) else {
      problems.append(Problem(path: directory, reason: String(cString: strerror(errno))))
      return
    }
    defer { closedir(handle) }
    let descriptor = dirfd(handle)
    var subdirectories: [String] = []
    while let entry = readdir(handle) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
        String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
      }
      if name == "." || name == ".." { continue }
      var info = stat()
      guard fstatat(descriptor, name, &info, 0) == 0 else {
        // A dangling link or a file removed while we walk: not ours to report as a backup.
        continue
      }
      switch info.st_mode & S_IFMT {
      case S_IFREG:
        let modified = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        files.append(
          ScannedFile(directory: directory, name: name, size: Int64(info.st_size), modified: modified))
      case S_IFDIR:
        var linkInfo = stat()
        if fstatat(descriptor, name, &linkInfo, AT_SYMLINK_NOFOLLOW) == 0,
          linkInfo.st_mode & S_IFMT == S_IFLNK
        {
          continue
        }
        subdirectories.append(directory == "/" ? "/" + name : directory + "/" + name)
      default:
        continue
      }
    }
    for subdirectory in subdirectories {
      walk(directory: subdirectory)
    }
  }
}
