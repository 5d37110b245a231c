import Foundation
import PostgresClient
import Processes

#if canImport(Glibc)
  import Glibc
#endif

/// The demo's source cluster: a fresh `initdb` in a temporary folder, listening only on a
/// socket in that folder, archiving WAL gzip'd as the seed lab does. Its server binaries run
/// as `postgres` when pitr runs as root.
public final class DemoCluster {
  /// The folder holding everything (source, backups, archive, restore, plan).
  public let directory: String
  public let binDirectory: String
  public let port: Int
  /// The OS user the server runs as when pitr runs as root; `nil` otherwise.
  public let serverUser: String?
  /// The server's `timezone` and `log_timezone` (seed 001's server logs in MST).
  public let timezone: String

  public var dataDirectory: String { "\(directory)/source" }
  public var backupsDirectory: String { "\(directory)/backups/base" }
  public var archiveDirectory: String { "\(directory)/backups/wal" }
  public var logPath: String { "\(directory)/source.log" }

  public init(directory: String, binDirectory: String, port: Int, serverUser: String?, timezone: String = "UTC") {
    self.directory = directory
    self.binDirectory = binDirectory
    self.port = port
    self.serverUser = serverUser
    self.timezone = timezone
  }

  /// The programs the demo runs, which a folder of server binaries must hold.
  public static let programs = ["initdb", "pg_ctl", "postgres", "pg_basebackup"]

  /// The programs of ``programs`` missing from `directory`.
  public static func missingPrograms(in directory: String) -> [String] {
    programs.filter { !FileManager.default.isExecutableFile(atPath: "\(directory)/\($0)") }
  }

  /// The newest PostgreSQL server binaries: on `PATH`, or Debian's /usr/lib/postgresql/N/bin.
  public static func findBinaries() -> String? {
    let onPath = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
    let debian = ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? [])
      .compactMap(Int.init).sorted(by: >).map { "/usr/lib/postgresql/\($0)/bin" }
    return (onPath + debian).first { missingPrograms(in: $0).isEmpty }
  }

  /// Creates the folders (owned by the server user) and the cluster, and starts it.
  public func create() throws {
    for folder in [backupsDirectory, archiveDirectory] {
      try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }
    try giveToServerUser(directory)
    if let serverUser {
      let reach = try ProcessRunner.run("/usr/sbin/runuser", ["-u", serverUser, "--", "test", "-w", directory])
      guard reach.succeeded else {
        throw DemoError(
          "the \(serverUser) user cannot reach \(directory) (a folder above it is not searchable by "
            + "it); choose another --directory")
      }
    }
    try run(
      "initdb", ["-D", dataDirectory, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8"])
    let settings = """

      # pitr demo: the seed lab's settings
      port = \(port)
      listen_addresses = ''
      unix_socket_directories = '\(directory)'
      wal_level = replica
      archive_mode = on
      archive_command = 'gzip < %p > \(archiveDirectory)/%f.gz'
      track_commit_timestamp = on
      timezone = '\(timezone)'
      log_timezone = '\(timezone)'
      lc_messages = 'C'

      """
    let configuration = FileHandle(forWritingAtPath: "\(dataDirectory)/postgresql.conf")
    try configuration?.seekToEnd()
    try configuration?.write(contentsOf: Data(settings.utf8))
    try configuration?.close()
    try run("pg_ctl", ["-D", dataDirectory, "-l", logPath, "-w", "-t", "60", "start"])
  }

  /// Stops the server if it runs (immediate mode: it is thrown away).
  public func stop() {
    guard FileManager.default.fileExists(atPath: "\(dataDirectory)/postmaster.pid") else { return }
    _ = try? run("pg_ctl", ["-D", dataDirectory, "-m", "immediate", "-w", "stop"])
  }

  /// Rows of `sql` as text, through libpq on the private socket.
  @discardableResult
  public func query(_ sql: String, database: String = "postgres") throws -> [[String?]] {
    let connection = try PostgresConnection(
      conninfo: "host=\(directory) port=\(port)", overrides: ["user": "postgres", "dbname": database])
    return try connection.query(sql)
  }

  /// The single value `sql` returns.
  public func value(_ sql: String, database: String = "postgres") throws -> String {
    guard let value = try query(sql, database: database).first?.first ?? nil else {
      throw DemoError("\(sql) returned no value")
    }
    return value
  }

  /// Runs one of the server binaries (as the server user when root), failing with its output.
  @discardableResult
  public func run(_ program: String, _ arguments: [String], timeout: Double = 300) throws -> ProcessResult {
    var words = ["\(binDirectory)/\(program)"] + arguments
    if let serverUser { words = ["/usr/sbin/runuser", "-u", serverUser, "--"] + words }
    let result = try ProcessRunner.run(words[0], Array(words.dropFirst()), timeout: timeout)
    guard result.succeeded else {
      let said = [result.standardError, result.standardOutput]
        .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
      throw DemoError("\(program) failed: " + said.joined(separator: "\n"))
    }
    return result
  }

  /// Makes `path` and everything under it the server user's (when root).
  func giveToServerUser(_ path: String) throws {
    guard let serverUser, let entry = getpwnam(serverUser) else { return }
    let owner = (entry.pointee.pw_uid, entry.pointee.pw_gid)
    chown(path, owner.0, owner.1)
    guard let walker = FileManager.default.enumerator(atPath: path) else { return }
    for case let relative as String in walker {
      lchown("\(path)/\(relative)", owner.0, owner.1)
    }
  }
}

/// Why the demo could not go on.
public struct DemoError: Error, CustomStringConvertible {
  public var description: String
  public init(_ description: String) { self.description = description }
}
