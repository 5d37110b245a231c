import Foundation

/// A real PostgreSQL backup repository for integration tests: a server of our own in a
/// temporary folder, archiving every finished WAL file into `archive/` in one of the seed labs'
/// layouts, with base backups under `backups/` and servers restored from them.
///
///     let lab = try PostgresLab(name: "inventarios", archive: .gzipFlat)
///     defer { lab.remove() }
///     try lab.sql("CREATE TABLE t (id int)")
///     let backup = try lab.baseBackup(
///       into: "2025/07/01", format: .tar(compression: .serverGzip), label: "nightly")
///     try lab.switchWAL()
///
/// Everything runs as the `postgres` OS user (the tests run as root, which servers refuse),
/// in the C locale, with the server's `timezone` and `log_timezone` in ``timezone`` (UTC unless
/// `PITR_TEST_TIMEZONE` says otherwise), with the programs of ``binaries`` (PostgreSQL 15
/// unless `PITR_TEST_BINDIR` says otherwise). Each lab has its own
/// folder (under ``parentDirectory``), port and Unix socket (no TCP), so labs run in
/// parallel. ``remove()`` stops every server the lab started, and only those, then deletes
/// the folder; call it from a `defer`. Set `PITR_LAB_TRACE` to see every program a lab runs.
///
/// The folder holds `data/` (the primary), `archive/`, `backups/`, `server.log`, the socket,
/// `restores/<name>/` for restored servers, and `spool/` and `bin/` for the archive commands.
public final class PostgresLab {
  /// The lab's name, part of its folder's name.
  public let name: String
  /// The lab's folder.
  public let directory: TemporaryDirectory
  /// The WAL archive every server of the lab fills.
  public let archive: Archive
  /// The server `init` created.
  public let primary: Server
  /// The servers ``restore(backup:recovery:archiveIntoSameArchive:expecting:timeout:)``
  /// started, oldest first.
  public internal(set) var restoredServers: [Server] = []
  private var isRemoved = false

  /// The settings every lab starts with, before its archive and socket settings and the
  /// caller's.
  ///
  /// Clocks in ``timezone``, commit timestamps (seed 001 sets `track_commit_timestamp`), and
  /// small, fast servers. `fsync = off` changes nothing that is written or archived, only
  /// whether it is flushed to disk.
  public static let defaultSettings: [String: String] = [
    "timezone": timezone, "log_timezone": timezone, "track_commit_timestamp": "on",
    "wal_level": "replica", "shared_buffers": "16MB", "max_connections": "20", "fsync": "off",
  ]

  /// Creates the lab's folder, runs `initdb` (`-k -E UTF8 --locale=C`, `-A trust`, plus
  /// `initdbArguments`), configures archiving and the socket, and starts the server unless
  /// `start` is false.
  ///
  /// - Parameters:
  ///   - name: A short name for the folder (letters, digits, `-` and `_` are kept).
  ///   - archive: How the server archives WAL.
  ///   - settings: `postgresql.conf` settings over ``defaultSettings`` and the lab's own.
  ///   - initdbArguments: Extra `initdb` arguments, such as `--wal-segsize=32`.
  ///   - dataChecksums: `true` asks `initdb` for data checksums (`-k`), `false` for none
  ///     (`--no-data-checksums`, PostgreSQL 18 and later), `nil` leaves initdb's default (off
  ///     up to PostgreSQL 17, on from 18).
  ///   - start: Whether to start the server.
  /// - Throws: ``FixtureError`` when a program fails; nothing is left behind then.
  public init(
    name: String, archive layout: ArchiveLayout, settings: [String: String] = [:],
    initdbArguments: [String] = [], dataChecksums: Bool? = true, start: Bool = true
  ) throws {
    let label = String(
      name.filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
        .prefix(32))
    self.name = name
    directory = try TemporaryDirectory("lab-\(label)", in: Self.parentDirectory)
    archive = Archive(
      directory: directory.file("archive"), layout: layout,
      spoolDirectory: directory.file("spool"), scriptsDirectory: directory.file("bin"))
    do {
      primary = Server(
        name: "primary", dataDirectory: directory.file("data"),
        logFile: directory.file("server.log"), socketDirectory: directory.path,
        port: try Self.freePort(), archive: archive)
    } catch {
      directory.remove()
      throw error
    }
    do {
      try setUp(
        settings: settings,
        initdbArguments: (dataChecksums.map { $0 ? ["-k"] : ["--no-data-checksums"] } ?? [])
          + initdbArguments,
        start: start)
    } catch {
      remove()
      throw error
    }
  }

  deinit { remove() }

  /// The zone lab servers keep their clocks in (`timezone` and `log_timezone`): the name in
  /// `PITR_TEST_TIMEZONE` (`scripts/test` runs the live tests again with
  /// `America/Phoenix`, the seeds' MST), else UTC. A test can still set its own.
  public static let timezone: String = {
    let chosen = ProcessInfo.processInfo.environment["PITR_TEST_TIMEZONE"] ?? ""
    return chosen.isEmpty ? "UTC" : chosen
  }()

  private func setUp(settings: [String: String], initdbArguments: [String], start: Bool) throws {
    // Paths go into archive and restore commands unquoted, and the socket's path must fit
    // in sockaddr_un (107 bytes).
    let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-")
    guard directory.path.allSatisfy({ allowed.contains($0) }), directory.path.utf8.count < 80
    else {
      throw FixtureError("the lab folder \(directory.path) is too long or has unusual characters")
    }
    try Self.giveToPostgres(directory.path)
    try archive.install()
    try Self.makePostgresDirectory(backupsDirectory)
    try Self.runAsPostgres(
      "initdb",
      ["-D", dataDirectory, "-N", "-A", "trust", "-E", "UTF8", "--locale=C"]
        + initdbArguments)
    let own = [
      "port": String(port), "listen_addresses": "", "unix_socket_directories": directory.path,
      "archive_mode": "on", "archive_command": archive.archiveCommand,
    ]
    try primary.appendSettings(
      Self.defaultSettings.merging(own) { $1 }.merging(settings) { $1 })
    if start { try primary.start() }
  }

  // MARK: - Paths

  /// The primary's data directory.
  public var dataDirectory: String { primary.dataDirectory }
  /// The WAL archive's folder.
  public var archiveDirectory: String { archive.directory }
  /// Where ``baseBackup(into:format:wal:label:)`` puts backups.
  public var backupsDirectory: String { directory.file("backups") }
  /// The primary's port.
  public var port: Int { primary.port }
  /// The folder holding every server's socket: the lab's folder.
  public var socketDirectory: String { directory.path }
  /// The primary, then the restored servers.
  public var servers: [Server] { [primary] + restoredServers }

  // MARK: - The primary

  /// Runs SQL on the primary; see ``Server/sql(_:database:)``.
  @discardableResult
  public func sql(_ sql: String, database: String = "postgres") throws -> String {
    try primary.sql(sql, database: database)
  }

  /// Runs statements in one session on the primary; see ``Server/sqlSession(_:database:)``.
  @discardableResult
  public func sqlSession(_ statements: [String], database: String = "postgres") throws
    -> [String]
  {
    try primary.sqlSession(statements, database: database)
  }

  /// Ends the primary's WAL segment and waits until it is archived; see
  /// ``Server/switchWAL(timeout:)``.
  @discardableResult
  public func switchWAL(timeout: Double = 30) throws -> String {
    try primary.switchWAL(timeout: timeout)
  }

  /// Waits until the WAL file `walFileName` (any file name the archive can hold) is in the
  /// archive, in whatever layout.
  public func waitUntilArchived(_ walFileName: String, timeout: Double = 30) throws {
    try primary.waitUntilArchived(walFileName, timeout: timeout)
  }

  /// Starts the primary.
  public func start() throws { try primary.start() }

  /// Stops the primary (fast shutdown) if it runs.
  public func stop() throws { try primary.stop() }

  /// The primary's log.
  public func serverLog() -> String { primary.log() }

  /// Stops every server of the lab, restored ones first.
  public func stopAll() {
    for server in servers.reversed() { server.stopForCleanup() }
  }

  /// Stops every server the lab started and deletes its folder; calling it again does
  /// nothing.
  public func remove() {
    guard !isRemoved else { return }
    isRemoved = true
    stopAll()
    directory.remove()
  }

  // MARK: - The archive

  /// Puts a timeline history file holding `contents` into the archive, compressed and placed
  /// as the layout wants; see ``Archive/writeHistoryFile(timeline:contents:)``.
  @discardableResult
  public func writeStrayHistoryFile(timeline: UInt32, contents: String) throws -> String {
    try archive.writeHistoryFile(timeline: timeline, contents: contents)
  }
}
