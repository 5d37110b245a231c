import Foundation

/// Where a running server listens, as its `postmaster.pid` says: the restore's private socket
/// in `DATA.pitr` while it recovers, the backup's own socket directory once `finish` handed
/// it over.
public enum ServerSocket {
  /// The socket directory the server running on `dataDirectory` names ("" when it has no
  /// Unix socket); nil when no `postmaster.pid` says.
  public static func directory(of dataDirectory: String) -> String? {
    guard let fields = pidFileFields(of: dataDirectory), fields.count > 4 else { return nil }
    return fields[4].trimmingCharacters(in: .whitespaces)
  }

  /// The lines of `postmaster.pid`: pid, data directory, start time, port, first socket
  /// directory, first listen address, shared memory key, status.
  static func pidFileFields(of dataDirectory: String) -> [String]? {
    guard let text = try? String(contentsOfFile: "\(dataDirectory)/postmaster.pid", encoding: .utf8) else {
      return nil
    }
    return text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
  }
}
