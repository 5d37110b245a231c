import Compiler
import Foundation
import PostgresClient
import Processes

#if canImport(Glibc)
  import Glibc
#endif

/// The server being restored: its files, how to reach it (the private socket in the state
/// directory), and how to ask it where recovery stands.
final class RestoredServer {
  let connection: ServerConnection
  let resolver: StepResolver

  init(connection: ServerConnection, resolver: StepResolver) {
    self.connection = connection
    self.resolver = resolver
  }

  convenience init(destination: CompiledPlan.ResolvedDestination, resolver: StepResolver) {
    self.init(connection: ServerConnection(destination), resolver: resolver)
  }

  var logPath: String { connection.logFile }

  func log() -> String {
    (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
  }

  /// Where the log's size at the last `pg_ctl start` is kept (`server.log.start`).
  private var startMarkPath: String { logPath + ".start" }

  /// Notes how long the log is, just before `pg_ctl start`: what comes after is this start's.
  func markStart() {
    var info = stat()
    let size = stat(logPath, &info) == 0 ? Int64(info.st_size) : 0
    try? "\(size)\n".write(toFile: startMarkPath, atomically: true, encoding: .utf8)
  }

  /// The log written since the last ``markStart()`` (the whole log when there is no mark, or
  /// the log is shorter than it): a server started again after a failed recovery is judged
  /// by what it says, not by the FATAL of the run before, which `pg_ctl start -W` returns
  /// before the new server has logged anything.
  func logSinceStart() -> String {
    let text = log()
    guard let mark = try? String(contentsOfFile: startMarkPath, encoding: .utf8),
      let offset = Int(mark.trimmingCharacters(in: .whitespacesAndNewlines)), offset <= text.utf8.count
    else { return text }
    return String(decoding: text.utf8.dropFirst(offset), as: UTF8.self)
  }

  /// Whether a postmaster runs for the data directory (`postmaster.pid` names a live process).
  var isRunning: Bool { Self.isRunning(dataDirectory: connection.dataDirectory) }

  /// Whether a postmaster runs for that data directory.
  static func isRunning(dataDirectory: String) -> Bool {
    guard let text = try? String(contentsOfFile: "\(dataDirectory)/postmaster.pid", encoding: .utf8),
      let line = text.split(separator: "\n").first, let pid = Int32(line)
    else { return false }
    return kill(pid, 0) == 0 || errno == EPERM
  }

  /// A connection through the private socket, as the first role that exists of the OS
  /// user's name, `postgres`, and this process's user. Once `finish` handed the server over
  /// it listens on the backup's own socket directory, which its `postmaster.pid` names: pitr
  /// then tries there (the backup's pg_hba.conf decides whether it may connect).
  func connect(database: String = "postgres") throws -> PostgresConnection {
    var host = connection.socketDirectory
    if isRunning, let socket = ServerSocket.directory(of: connection.dataDirectory), !socket.isEmpty {
      host = socket
    }
    var roles = [connection.user, "postgres", ProcessInfo.processInfo.environment["USER"]].compactMap { $0 }
    roles = roles.reduce(into: []) { if !$0.contains($1) { $0.append($1) } }
    var lastFailure: Error?
    for role in roles {
      do {
        return try PostgresConnection(
          conninfo: "host=\(host) port=\(connection.port)",
          overrides: ["user": role, "dbname": database, "connect_timeout": "5"])
      } catch {
        lastFailure = error
      }
    }
    throw lastFailure ?? RunnerError("cannot connect to the restored server")
  }

  func inRecovery() throws -> Bool {
    try connect().query("SELECT pg_is_in_recovery()").first?.first == "t"
  }

  func isPaused() throws -> Bool {
    try connect().query("SELECT pg_get_wal_replay_pause_state()").first?.first == "paused"
  }

  func replayLocation() throws -> String? {
    try connect().query("SELECT pg_last_wal_replay_lsn()").first?.first ?? nil
  }

  /// The last lines of its log, to show with a failure.
  func logTail(_ count: Int = 12) -> [String] {
    Array(log().split(separator: "\n").suffix(count).map(String.init))
  }

  /// Stops the server (fast mode), as the OS user when running as root.
  func stop() {
    guard isRunning else { return }
    var words = [resolver.resolve(.serverBinary("pg_ctl")), "-D", connection.dataDirectory, "-m", "fast", "-w", "stop"]
    if let user = resolver.serverUser { words = ["/usr/sbin/runuser", "-u", user, "--"] + words }
    _ = try? ProcessRunner.run(words[0], Array(words.dropFirst()), timeout: 120)
  }
}
