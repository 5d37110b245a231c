import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

extension PostgresLab {
  /// One PostgreSQL 15 server of a lab: its primary, or one restored from its backups.
  ///
  /// It listens only on a Unix socket in the lab's folder, on a port of its own.
  public final class Server {
    /// `primary`, or `restore-1`, `restore-2`, … for restored servers.
    public let name: String
    /// The data directory.
    public let dataDirectory: String
    /// Where `pg_ctl -l` sends the server's log.
    public let logFile: String
    /// The folder holding the server's socket (`-h` for clients).
    public let socketDirectory: String
    /// The port (part of the socket's name; `-p` for clients).
    public let port: Int
    /// The archive this server's `archive_command` fills; nil when its archiving is off.
    public let archive: Archive?

    init(
      name: String, dataDirectory: String, logFile: String, socketDirectory: String, port: Int,
      archive: Archive?
    ) {
      self.name = name
      self.dataDirectory = dataDirectory
      self.logFile = logFile
      self.socketDirectory = socketDirectory
      self.port = port
      self.archive = archive
    }

    // MARK: - Running

    /// Whether a server runs on the data directory, as `pg_ctl status` says.
    public var isRunning: Bool {
      let result = try? ProcessRunner.run(
        PostgresLab.runuser,
        ["-u", "postgres", "--", "\(PostgresLab.binaries)/pg_ctl", "status", "-D", dataDirectory],
        environment: PostgresLab.programEnvironment, timeout: 30)
      return result?.succeeded == true
    }

    /// Starts the server and waits until it accepts connections (`pg_ctl -w start`).
    ///
    /// - Throws: ``FixtureError`` with the end of the server's log when it does not start.
    public func start() throws {
      do {
        try launch()
      } catch {
        throw failure("\(error)")
      }
    }

    /// `pg_ctl -w start`, which returns when the server accepts (read-only) connections or
    /// has stopped.
    func launch() throws {
      try PostgresLab.runAsPostgres(
        "pg_ctl", ["-D", dataDirectory, "-l", logFile, "-w", "-t", "90", "start"],
        timeout: 120)
    }

    /// Stops the server (`pg_ctl -m fast -w stop`) if it runs.
    public func stop() throws {
      guard isRunning else { return }
      try PostgresLab.runAsPostgres(
        "pg_ctl", ["-D", dataDirectory, "-m", "fast", "-w", "-t", "90", "stop"], timeout: 120)
    }

    /// Stops the server however it can: fast, then immediate shutdown.
    func stopForCleanup() {
      guard isRunning else { return }
      if (try? stop()) != nil, !isRunning { return }
      _ = try? PostgresLab.runAsPostgres(
        "pg_ctl", ["-D", dataDirectory, "-m", "immediate", "-w", "-t", "60", "stop"],
        timeout: 90)
    }

    /// Everything the server has logged.
    public func log() -> String {
      (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? ""
    }

    // MARK: - SQL

    /// Runs `sql` with `psql -XAtq -v ON_ERROR_STOP=1` and returns what it printed.
    ///
    /// Rows are on lines and columns separated by `|`, without the final newline. Several
    /// statements in one string run as one transaction and only the last one's rows are
    /// printed; see ``sqlSession(_:database:)``.
    ///
    /// - Throws: ``FixtureError`` with psql's error message.
    @discardableResult
    public func sql(_ sql: String, database: String = "postgres") throws -> String {
      try sqlSession([sql], database: database).joined(separator: "\n")
    }

    /// Runs each statement with its own `-c`, in order, in one session.
    ///
    /// Each runs in a transaction of its own unless the statements say `BEGIN`. psql stops
    /// at the first error.
    ///
    /// - Returns: The rows all of them printed, one per element.
    @discardableResult
    public func sqlSession(_ statements: [String], database: String = "postgres") throws
      -> [String]
    {
      let arguments =
        [
          "-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1", "-h", socketDirectory, "-p",
          String(port), "-U", "postgres", "-d", database,
        ] + statements.flatMap { ["-c", $0] }
      var lines = try PostgresLab.runClient("psql", arguments, timeout: 60)
        .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
      if lines.last == "" { lines.removeLast() }
      return lines
    }

    // MARK: - WAL

    /// Ends the current WAL segment (`pg_switch_wal()`) and, when the server archives, waits
    /// until that segment is in the archive.
    ///
    /// A small WAL record (a non-transactional logical message) goes first, so there is
    /// always something to switch away from: a switch right after another one is a no-op,
    /// and PostgreSQL 17 then returns a position in the segment it did not end.
    ///
    /// - Returns: The LSN `pg_switch_wal()` returned: the end of its SWITCH record.
    @discardableResult
    public func switchWAL(timeout: Double = 30) throws -> String {
      try sql("SELECT pg_logical_emit_message(false, 'pitr-lab', 'switch')")
      let row = try sql("SELECT pg_walfile_name(lsn), lsn FROM pg_switch_wal() AS lsn")
      let columns = row.split(separator: "|").map(String.init)
      guard columns.count == 2 else { throw failure("pg_switch_wal() printed '\(row)'") }
      try waitUntilArchived(columns[0], timeout: timeout)
      return columns[1]
    }

    /// Waits until the WAL file `name` is in this server's archive (at once when it does not
    /// archive).
    public func waitUntilArchived(_ name: String, timeout: Double = 30) throws {
      guard let archive else { return }
      do {
        try archive.waitUntilArchived(name, timeout: timeout)
      } catch {
        throw failure("\(error)")
      }
    }

    /// Waits until the server's recovery has ended as `end` says, polling every 20 ms.
    ///
    /// - Throws: ``FixtureError`` with the end of the log when recovery ends otherwise or
    ///   `timeout` seconds pass first.
    public func waitUntil(_ end: RecoveryEnd, timeout: Double = 60) throws {
      let deadline = ContinuousClock.now.advanced(by: .milliseconds(Int64(timeout * 1000)))
      while true {
        switch end {
        case .promoted, .paused:
          let query =
            end == .promoted
            ? "SELECT NOT pg_is_in_recovery()"
            : "SELECT pg_get_wal_replay_pause_state() = 'paused'"
          if (try? sql(query)) == "t" { return }
          // Not there yet: the server may still be starting, or may have stopped for good.
          if !FileManager.default.fileExists(atPath: "\(dataDirectory)/postmaster.pid"),
            !isRunning
          {
            throw failure("the server stopped instead of being \(end)")
          }
        case .shutDown, .failed:
          if !isRunning {
            let log = log()
            if end == .shutDown, !log.contains("shutdown at recovery target") {
              throw failure("the server stopped, but not at the recovery target")
            }
            if end == .failed, !log.contains("FATAL:") {
              throw failure("the server stopped without a FATAL error")
            }
            return
          }
        }
        guard ContinuousClock.now < deadline else {
          throw failure("recovery did not end \(end) within \(timeout) s")
        }
        usleep(20_000)
      }
    }

    // MARK: - Configuration

    /// Appends `settings` to `postgresql.conf` (later lines win), each value quoted.
    public func appendSettings(_ settings: [String: String]) throws {
      let lines = settings.sorted { $0.key < $1.key }.map { key, value in
        "\(key) = '\(value.replacingOccurrences(of: "'", with: "''"))'"
      }
      let text = "\n# pitr test lab (\(name))\n" + lines.joined(separator: "\n") + "\n"
      let handle = try FileHandle(
        forWritingTo: URL(fileURLWithPath: "\(dataDirectory)/postgresql.conf"))
      defer { try? handle.close() }
      try handle.seekToEnd()
      try handle.write(contentsOf: Data(text.utf8))
    }

    /// `pg_controldata`'s `Key: value` lines for the data directory.
    public func controlData() throws -> [String: String] {
      try PostgresLab.controlData(of: dataDirectory)
    }

    /// An error saying `message`, followed by the last lines of the server's log.
    func failure(_ message: String) -> FixtureError {
      let tail = log().split(separator: "\n").suffix(30).joined(separator: "\n")
      return FixtureError("\(name) server (\(dataDirectory)): \(message)\n--- log ---\n\(tail)")
    }
  }
}
