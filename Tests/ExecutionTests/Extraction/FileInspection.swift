import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// What the extraction tests look at in the files written: bytes, modes, owners, trees.
enum FileInspection {
  /// The bytes of a file; nil when it cannot be read.
  static func contents(_ path: String) -> [UInt8]? {
    FileManager.default.contents(atPath: path).map { Array($0) }
  }

  /// Whether anything (even a dangling link) is at `path`.
  static func exists(_ path: String) -> Bool {
    var info = stat()
    return lstat(path, &info) == 0
  }

  /// The permission bits of `path` (not following a link).
  static func mode(_ path: String) -> UInt32? {
    var info = stat()
    guard lstat(path, &info) == 0 else { return nil }
    return UInt32(info.st_mode) & 0o7777
  }

  /// The owner's user and group ids of `path` (not following a link).
  static func owner(_ path: String) -> (uid: UInt32, gid: UInt32)? {
    var info = stat()
    guard lstat(path, &info) == 0 else { return nil }
    return (info.st_uid, info.st_gid)
  }

  /// Every path below `root`, relative to it, sorted; links are listed, not followed.
  static func tree(_ root: String) -> [String] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
    var paths: [String] = []
    for name in names {
      paths.append(name)
      var info = stat()
      guard lstat(root + "/" + name, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else { continue }
      paths += tree(root + "/" + name).map { name + "/" + $0 }
    }
    return paths.sorted()
  }
}
