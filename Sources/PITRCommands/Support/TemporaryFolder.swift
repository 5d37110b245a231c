import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A new folder in `$TMPDIR` (or /tmp) for a drill or the demo, open to the server's OS user
/// (which must reach the data directory inside it when pitr runs as root).
enum TemporaryFolder {
  /// Creates `<tmp>/<prefix>-XXXXXX` with mode 0755, or says why it cannot and exits 1.
  static func make(prefix: String) throws -> String {
    let base = ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"
    var template = Array("\(base)/\(prefix)-XXXXXX".utf8CString)
    guard let made = mkdtemp(&template) else {
      Terminal.writeError("pitr: error: cannot create a folder in \(base): \(String(cString: strerror(errno)))\n")
      throw PITRExitCode.executionFailed
    }
    let path = String(cString: made)
    chmod(path, 0o755)
    return path
  }

  /// Creates `<directory>/<prefix>-XXXXXX` with mode 0755; nil (with `errno` set) when it cannot.
  static func make(prefix: String, in directory: String) -> String? {
    var template = Array("\(directory)/\(prefix)-XXXXXX".utf8CString)
    guard let made = mkdtemp(&template) else { return nil }
    let path = String(cString: made)
    chmod(path, 0o755)
    return path
  }
}
