import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The POSIX calls extraction makes on paths, retried on `EINTR`, their failures turned into
/// ``ExtractionError`` naming the path and the system's reason.
enum FileSystemCalls {
  /// The status of `path`, not following a final symbolic link unless asked; nil when nothing
  /// is there.
  static func status(_ path: String, followingLinks: Bool = false) throws -> FileStatus? {
    var info = stat()
    let result = followingLinks ? stat(path, &info) : lstat(path, &info)
    guard result == 0 else {
      if errno == ENOENT { return nil }
      throw ExtractionError.io("examine", path, code: errno)
    }
    let kind: FileStatus.Kind =
      switch info.st_mode & S_IFMT {
      case S_IFREG: .regularFile
      case S_IFDIR: .directory
      case S_IFLNK: .symbolicLink
      case S_IFCHR: .other("a character device")
      case S_IFBLK: .other("a block device")
      case S_IFIFO: .other("a FIFO")
      case S_IFSOCK: .other("a socket")
      default: .other("of an unknown type")
      }
    #if canImport(Darwin)
      let modificationTime = Int64(info.st_mtimespec.tv_sec)
    #else
      let modificationTime = Int64(info.st_mtim.tv_sec)
    #endif
    return FileStatus(
      kind: kind, size: Int64(info.st_size), mode: UInt32(info.st_mode) & 0o777,
      modificationTime: modificationTime)
  }

  /// Creates a directory with `mode` (less the umask).
  static func makeDirectory(_ path: String, mode: UInt32) throws {
    guard mkdir(path, mode_t(mode)) == 0 else {
      throw ExtractionError.io("create the directory", path, code: errno)
    }
  }

  /// Creates a symbolic link at `path` pointing to `target`.
  static func makeSymbolicLink(_ path: String, to target: String) throws {
    guard symlink(target, path) == 0 else {
      throw ExtractionError.io("create the symbolic link", path, code: errno)
    }
  }

  /// Creates a hard link at `path` to the existing file `existing` (not following links).
  static func makeHardLink(_ path: String, to existing: String) throws {
    guard link(existing, path) == 0 else {
      throw ExtractionError.io("create the hard link", path, code: errno)
    }
  }

  /// What the symbolic link at `path` points to.
  static func linkTarget(_ path: String) throws -> String {
    var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    let count = readlink(path, &buffer, buffer.count - 1)
    guard count >= 0 else { throw ExtractionError.io("read the symbolic link", path, code: errno) }
    return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  /// Gives `path` (not what it links to) to `owner`.
  static func setOwner(_ path: String, _ owner: FileOwner) throws {
    guard lchown(path, owner.uid, owner.gid) == 0 else {
      throw ExtractionError.io("change the owner of", path, code: errno)
    }
  }

  /// Sets the permission bits of `path`.
  static func setMode(_ path: String, _ mode: UInt32) throws {
    guard chmod(path, mode_t(mode)) == 0 else {
      throw ExtractionError.io("change the mode of", path, code: errno)
    }
  }

  /// Renames `path` to `newPath`, replacing it.
  static func rename(_ path: String, to newPath: String) throws {
    #if canImport(Glibc)
      let result = Glibc.rename(path, newPath)
    #else
      let result = Darwin.rename(path, newPath)
    #endif
    guard result == 0 else { throw ExtractionError.io("rename", path, code: errno) }
  }

  /// The names in a directory, sorted, without `.` and `..`.
  static func names(in directory: String) throws -> [String] {
    guard let stream = opendir(directory) else {
      throw ExtractionError.io("list the directory", directory, code: errno)
    }
    defer { closedir(stream) }
    var names: [String] = []
    while let entry = readdir(stream) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
      }
      if name != ".", name != ".." { names.append(name) }
    }
    return names.sorted()
  }

  /// Flushes a file or directory to disk (`fsync`).
  static func sync(_ path: String, directory: Bool) throws {
    let flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW | (directory ? O_DIRECTORY : 0)
    let descriptor = open(path, flags)
    guard descriptor >= 0 else { throw ExtractionError.io("open", path, code: errno) }
    defer { close(descriptor) }
    guard fsync(descriptor) == 0 else { throw ExtractionError.io("fsync", path, code: errno) }
  }

  /// Flushes everything written to the file system `path` is on (Linux `syncfs`).
  static func syncFileSystem(of path: String) throws {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_DIRECTORY)
    guard descriptor >= 0 else { throw ExtractionError.io("open", path, code: errno) }
    defer { close(descriptor) }
    guard let syncfs = Self.syncfs else {
      throw ExtractionError.io("syncfs", path, code: ENOSYS)
    }
    guard syncfs(descriptor) == 0 else { throw ExtractionError.io("syncfs", path, code: errno) }
  }

  /// glibc's `syncfs`, which Swift's Glibc module does not import (it is a GNU extension).
  private static let syncfs: (@convention(c) (Int32) -> Int32)? = {
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "syncfs") else { return nil }
    return unsafeBitCast(symbol, to: (@convention(c) (Int32) -> Int32).self)
  }()

  /// The C library's text for an `errno` value: "No such file or directory".
  static func message(for code: Int32) -> String {
    String(cString: strerror(code))
  }
}
