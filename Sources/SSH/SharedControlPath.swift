import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Where the ssh connection shared by one restore's `pitr wal-fetch` calls keeps its control
/// socket: in the restore's own folder (`DATA.pitr/spool/ssh`, mode 0700, belonging to the
/// server's OS user who runs them), one socket per host.
///
/// A unix socket's path is limited (108 bytes on Linux, 104 on macOS) and `ssh` binds the
/// master to the path plus 17 characters before renaming it, so when the folder's path is too
/// long the socket goes into a private `/tmp/pitr-ssh-XXXXXX` folder instead, and that path is
/// recorded in the restore's folder (`<folder>/<key>.path`) for the later calls and for the
/// run that ends the connection.
public enum SharedControlPath {
  /// The longest socket path used (ssh adds `.` and 16 characters while binding).
  static let limit = 88

  /// The socket for `host` in `folder`; with `create`, the folder (mode 0700) and the
  /// fallback made when missing. Nil when there is none (not made yet without `create`), or
  /// it cannot be made: then a private connection is used instead.
  public static func path(for host: SSHHost, in folder: String, create: Bool) -> String? {
    let key = self.key(host.description)
    let direct = folder + "/" + key
    if create, !ensurePrivateFolder(folder) { return nil }
    if direct.utf8.count <= limit { return direct }
    let record = direct + ".path"
    if let text = try? String(contentsOfFile: record, encoding: .utf8) {
      let path = text.trimmingCharacters(in: .whitespacesAndNewlines)
      if !path.isEmpty { return path }
    }
    guard create else { return nil }
    var template = Array("/tmp/pitr-ssh-XXXXXX".utf8CString)
    guard let made = mkdtemp(&template) else { return nil }
    let socket = String(cString: made) + "/" + key
    let temporary = record + ".\(getpid())"
    guard (try? (socket + "\n").write(toFile: temporary, atomically: false, encoding: .utf8)) != nil,
      rename(temporary, record) == 0
    else {
      unlink(temporary)
      rmdir(made)
      return nil
    }
    return socket
  }

  /// Removes the `/tmp` folder recorded for `host` in `folder`, if any, with its record.
  public static func removeFallback(for host: SSHHost, in folder: String) {
    let record = folder + "/" + key(host.description) + ".path"
    guard let text = try? String(contentsOfFile: record, encoding: .utf8) else { return }
    let socket = text.trimmingCharacters(in: .whitespacesAndNewlines)
    if socket.hasPrefix("/tmp/pitr-ssh-") {
      try? FileManager.default.removeItem(atPath: (socket as NSString).deletingLastPathComponent)
    }
    unlink(record)
  }

  /// 16 hexadecimal digits naming a host (FNV-1a of `ssh://user@host:port`).
  static func key(_ text: String) -> String {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in text.utf8 {
      hash ^= UInt64(byte)
      hash = hash &* 0x100_0000_01b3
    }
    let digits = String(hash, radix: 16)
    return String(repeating: "0", count: 16 - digits.count) + digits
  }

  /// Makes `folder` with mode 0700 if missing; true when it is a folder of this user's that
  /// no one else can enter.
  private static func ensurePrivateFolder(_ folder: String) -> Bool {
    if mkdir(folder, 0o700) != 0, errno != EEXIST { return false }
    var info = stat()
    guard lstat(folder, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else { return false }
    return info.st_uid == geteuid() && info.st_mode & 0o077 == 0
  }
}
