import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Where labs put their folders.
extension PostgresLab {
  /// The folder labs are created in: `PITR_LAB_TMPDIR` when set; otherwise `/dev/shm` when
  /// it is a writable memory file system with at least 4 GiB free (a data directory is about
  /// 1,000 files, which a disk file system mounted with `discard` creates and deletes several
  /// times slower); otherwise nil, the system's temporary folder.
  public static let parentDirectory: String? = {
    if let chosen = ProcessInfo.processInfo.environment["PITR_LAB_TMPDIR"], !chosen.isEmpty {
      return chosen
    }
    let memory = "/dev/shm"
    var status = statvfs()
    guard access(memory, W_OK) == 0, statvfs(memory, &status) == 0 else { return nil }
    let free = UInt64(status.f_bavail) * UInt64(status.f_frsize)
    return free >= 4 << 30 ? memory : nil
  }()
}
