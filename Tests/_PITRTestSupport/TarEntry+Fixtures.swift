import Archives

/// Entries for ``TarWriter`` to write, with the owner and time a data directory would have.
extension TarEntry {
  /// A regular file owned by postgres (its size comes from the data written).
  public static func file(_ path: String, mode: UInt32 = 0o600) -> TarEntry {
    fixture(path, .regularFile, mode: mode)
  }

  /// A directory.
  public static func directory(_ path: String) -> TarEntry {
    fixture(path, .directory, mode: 0o700)
  }

  /// A symbolic link to `target`.
  public static func symlink(_ path: String, to target: String) -> TarEntry {
    fixture(path, .symbolicLink, mode: 0o777, linkTarget: target)
  }

  /// A hard link to the earlier member `target`.
  public static func hardLink(_ path: String, to target: String) -> TarEntry {
    fixture(path, .hardLink, mode: 0o600, linkTarget: target)
  }

  /// An entry of any kind, owned by postgres (uid and gid 1000).
  public static func fixture(
    _ path: String, _ kind: Kind, mode: UInt32 = 0o600, linkTarget: String? = nil
  ) -> TarEntry {
    TarEntry(
      path: path, kind: kind, mode: mode, modificationTime: 1_700_000_000, uid: 1000, gid: 1000,
      userName: "postgres", groupName: "postgres", linkTarget: linkTarget)
  }

  /// The header's type flag byte.
  var typeFlag: UInt8 {
    switch kind {
    case .regularFile: UInt8(ascii: "0")
    case .hardLink: UInt8(ascii: "1")
    case .symbolicLink: UInt8(ascii: "2")
    case .directory: UInt8(ascii: "5")
    case .other(let flag): flag
    }
  }
}
