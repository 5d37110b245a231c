import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A place for a test to restore into with `pitr apply` or `RestoreRunner`: a new folder
/// owned by `postgres` (the server's OS user must reach what is inside), a data directory
/// path in it that does not exist yet, and a port no other sandbox of this process has.
///
///     let sandbox = try RestoreSandbox(in: lab.directory.path, name: "by-time")
///     defer { sandbox.remove() }
///     // plan: destination.data_directory = sandbox.dataDirectory, port = sandbox.port
///     #expect(try sandbox.sql("SELECT count(*) FROM inventarios", database: "test") == "11")
///
/// ``remove()`` stops any server still running on the data directory, then deletes the
/// folder; call it from a `defer`, so a failing test leaves nothing behind.
public final class RestoreSandbox: @unchecked Sendable {
  /// The sandbox's folder.
  public let directory: String
  /// A free port for the restored server.
  public let port: Int

  /// Ports handed to sandboxes of this process: concurrent tests never share one.
  nonisolated(unsafe) private static var usedPorts: Set<Int> = []
  private static let portLock = NSLock()

  /// Creates `<parent>/<name>-<random>` owned by `postgres`.
  ///
  /// Keep `parent` and `name` short: the server's socket goes into
  /// `<directory>/data.pitr/.s.PGSQL.<port>`, which must fit in 107 bytes.
  public init(in parent: String, name: String) throws {
    directory = "\(parent)/\(name)-\(UUID().uuidString.prefix(6).lowercased())"
    try PostgresLab.makePostgresDirectory(directory)
    port = try Self.reservePort()
  }

  /// The data directory to restore into (absent until the restore creates it).
  public var dataDirectory: String { "\(directory)/data" }
  /// pitr's state directory beside it: journal, lock, spool, server log and socket.
  public var stateDirectory: String { "\(dataDirectory).pitr" }
  /// The restored server's log, as pitr writes it.
  public var serverLog: String {
    (try? String(contentsOfFile: "\(stateDirectory)/server.log", encoding: .utf8)) ?? ""
  }

  /// A path inside the sandbox.
  public func file(_ name: String) -> String { "\(directory)/\(name)" }

  // MARK: - The restored server

  /// Whether `postmaster.pid` in the data directory names a live process.
  public var isServerRunning: Bool { Self.serverRuns(in: dataDirectory) }

  /// Runs `sql` on the restored server through pitr's private socket, as `postgres`, with
  /// `psql -XAtq`; rows on lines, columns separated by `|`.
  @discardableResult
  public func sql(_ sql: String, database: String = "postgres") throws -> String {
    try Self.sql(sql, dataDirectory: dataDirectory, port: port, database: database)
  }

  /// Stops the server on the data directory, if one runs: fast, then immediate shutdown.
  public func stopServer() {
    Self.stopServer(in: dataDirectory)
  }

  /// Starts the server on the data directory as `postgres` with plain `pg_ctl start`, as a
  /// DBA would (no options: the data directory's own settings), its log in `log`.
  public func startServer(log: String) throws {
    try PostgresLab.runAsPostgres("pg_ctl", ["-D", dataDirectory, "-l", log, "-w", "-t", "60", "start"], timeout: 90)
  }

  /// Stops every server left on the data directory and deletes the sandbox.
  public func remove() {
    stopServer()
    try? FileManager.default.removeItem(atPath: directory)
    Self.portLock.withLock { _ = Self.usedPorts.remove(port) }
  }

  // MARK: - Any data directory

  /// Creates a directory (and its missing parents) owned by `postgres`, as a tablespace's
  /// location must be.
  public static func makePostgresDirectory(_ path: String) throws {
    try PostgresLab.makePostgresDirectory(path, mode: 0o700)
  }

  /// Whether `postmaster.pid` in `dataDirectory` names a live process.
  public static func serverRuns(in dataDirectory: String) -> Bool {
    guard
      let text = try? String(contentsOfFile: "\(dataDirectory)/postmaster.pid", encoding: .utf8),
      let first = text.split(separator: "\n").first, let pid = Int32(first)
    else { return false }
    return kill(pid, 0) == 0 || errno == EPERM
  }

  /// Runs `sql` on the server pitr restored into `dataDirectory`, through the socket its
  /// running server names in `postmaster.pid`: the one in its state directory
  /// (`<dataDirectory>.pitr`) while it recovers, the backup's own once `finish` handed it
  /// over (the lab's backups trust local connections); as ``sql(_:database:)`` does.
  @discardableResult
  public static func sql(_ sql: String, dataDirectory: String, port: Int, database: String = "postgres")
    throws -> String
  {
    try PostgresLab.runClient(
      "psql",
      [
        "-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1", "-h", socketDirectory(of: dataDirectory), "-p",
        String(port), "-U", "postgres", "-d", database, "-c", sql,
      ], timeout: 60
    ).trimmingCharacters(in: .newlines)
  }

  /// The socket directory of the server running on `dataDirectory` (the fifth line of its
  /// `postmaster.pid`), else pitr's state directory beside it.
  public static func socketDirectory(of dataDirectory: String) -> String {
    let text = (try? String(contentsOfFile: "\(dataDirectory)/postmaster.pid", encoding: .utf8)) ?? ""
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    if lines.count > 4, !lines[4].isEmpty { return String(lines[4]) }
    return "\(dataDirectory).pitr"
  }

  /// Stops the server on `dataDirectory` as `postgres`, if one runs.
  public static func stopServer(in dataDirectory: String) {
    for mode in ["fast", "immediate"] where serverRuns(in: dataDirectory) {
      _ = try? PostgresLab.runAsPostgres(
        "pg_ctl", ["-D", dataDirectory, "-m", mode, "-w", "-t", "60", "stop"], timeout: 90)
    }
  }

  private static func reservePort() throws -> Int {
    for _ in 0..<20 {
      let port = try PostgresLab.freePort()
      let fresh = portLock.withLock { usedPorts.insert(port).inserted }
      if fresh { return port }
    }
    throw FixtureError("no free port that no other sandbox has")
  }
}
