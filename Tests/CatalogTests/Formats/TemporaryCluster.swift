import Foundation
import _PITRTestSupport

#if canImport(Glibc)
  import Glibc
#endif

/// A PostgreSQL 15 cluster of our own in a temporary directory, run as the `postgres` OS
/// user, for tests that need files a real server wrote.
///
/// `remove()` stops the server if this object started it and deletes the directory; call
/// it from a `defer` so it runs even when the test fails.
final class TemporaryCluster {
  static let binaries = "/usr/lib/postgresql/15/bin"

  /// Whether the tests can run here: root (to switch to `postgres`) and PostgreSQL 15.
  static var isAvailable: Bool {
    getuid() == 0 && getpwnam("postgres") != nil
      && FileManager.default.isExecutableFile(atPath: "\(binaries)/initdb")
  }

  let directory: TemporaryDirectory
  private(set) var isRunning = false
  private(set) var port: Int = 0

  var dataDirectory: String { directory.file("data") }
  var archiveDirectory: String { directory.file("archive") }

  /// Creates the directory and runs `initdb` with `arguments` added.
  init(initdbArguments arguments: [String]) throws {
    directory = try TemporaryDirectory("formats-cluster")
    do {
      try FileManager.default.createDirectory(
        atPath: archiveDirectory, withIntermediateDirectories: true)
      try Self.check(ProcessRunner.run("/bin/chown", ["-R", "postgres:postgres", directory.path]))
      try run("initdb", ["-D", dataDirectory, "-N", "-A", "trust"] + arguments)
    } catch {
      directory.remove()
      throw error
    }
  }

  /// Closes every inherited descriptor above 2, then runs the command in `$@`.
  ///
  /// `pg_ctl start` leaves the server running in the background. Foundation's `Process`
  /// notices that a child has exited when a descriptor it gave the child is closed, so a
  /// server that inherited that descriptor would make the test wait until the server stops.
  private static let closingInheritedDescriptors = """
    for fd in /proc/$$/fd/*; do fd=${fd##*/}; if [ "$fd" -gt 2 ]; then eval "exec $fd>&-"; fi
    done; exec "$@"
    """

  /// Runs one of the PostgreSQL programs as `postgres`, in the C locale and UTC.
  @discardableResult
  func run(_ program: String, _ arguments: [String]) throws -> String {
    let result = try ProcessRunner.run(
      "/usr/sbin/runuser",
      [
        "-u", "postgres", "--", "/bin/bash", "-c", Self.closingInheritedDescriptors, "bash",
        "\(Self.binaries)/\(program)",
      ] + arguments,
      environment: ["TZ": "UTC", "LC_ALL": "C", "PGTZ": "UTC"])
    try Self.check(result)
    return result.standardOutput
  }

  /// Starts the server on a free port, listening on a socket in the temporary directory,
  /// with every finished WAL file copied to `archiveDirectory`.
  func start() throws {
    port = try Self.freePort()
    let settings = """

      port = \(port)
      listen_addresses = ''
      unix_socket_directories = '\(directory.path)'
      archive_mode = on
      archive_command = 'cp %p \(archiveDirectory)/%f'

      """
    let handle = try FileHandle(
      forWritingTo: URL(fileURLWithPath: "\(dataDirectory)/postgresql.conf"))
    try handle.seekToEnd()
    try handle.write(contentsOf: Data(settings.utf8))
    try handle.close()
    try run("pg_ctl", ["-D", dataDirectory, "-l", directory.file("server.log"), "-w", "start"])
    isRunning = true
  }

  /// Takes a plain-format base backup with WAL fetched at the end, into `path`.
  func baseBackup(into path: String, label: String) throws {
    try run(
      "pg_basebackup",
      [
        "-h", directory.path, "-p", String(port), "-D", path, "-Fp", "-X", "fetch", "-c", "fast",
        "-N", "-l", label,
      ])
  }

  /// Stops the server (fast mode) if this object started it.
  func stop() throws {
    guard isRunning else { return }
    isRunning = false
    try run("pg_ctl", ["-D", dataDirectory, "-m", "fast", "-w", "stop"])
  }

  /// Stops the server if needed and deletes everything.
  func remove() {
    try? stop()
    directory.remove()
  }

  /// `pg_controldata`'s `Key: value` lines for a data directory.
  func controlData(of path: String) throws -> [String: String] {
    var values: [String: String] = [:]
    for line in try run("pg_controldata", [path]).split(separator: "\n") {
      guard let colon = line.firstIndex(of: ":") else { continue }
      values[String(line[..<colon])] = line[line.index(after: colon)...]
        .trimmingCharacters(in: .whitespaces)
    }
    return values
  }

  struct Failure: Error, CustomStringConvertible {
    var description: String
  }

  private static func check(_ result: ProcessResult) throws {
    guard result.status == 0 else {
      throw Failure(description: "exit \(result.status): \(result.standardError)")
    }
  }

  /// A TCP port nothing listens on now: bind port 0 and read which port the kernel chose.
  private static func freePort() throws -> Int {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { throw Failure(description: "socket() failed") }
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
      pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
        bind(descriptor, raw, length) == 0 && getsockname(descriptor, raw, &length) == 0
      }
    }
    guard bound else { throw Failure(description: "could not bind a free port") }
    return Int(UInt16(bigEndian: address.sin_port))
  }
}
