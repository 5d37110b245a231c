import Foundation
import SSH

#if canImport(Glibc)
  import Glibc
#endif

/// A real `sshd` on a free loopback port, for the SSH tests: its own temporary folder with a
/// host key and a client key made by `ssh-keygen`, an `sshd_config` accepting that client
/// key for the user running the tests, and a client configuration (passed as `ssh -F`) with
/// its own known_hosts, so the user's `~/.ssh` is never read or written. `stop()` (or
/// `remove()`) ends the server.
public final class SSHServer: @unchecked Sendable {
  /// Whether `sshd` is installed and the tests run as root (who may start it).
  public static var isAvailable: Bool {
    FileManager.default.isExecutableFile(atPath: "/usr/sbin/sshd") && getuid() == 0
  }

  public let directory: TemporaryDirectory
  public let port: Int
  /// The client configuration trusting the host key and using the authorized client key.
  public let clientConfig: String
  /// sshd's log (`-E`).
  public let logPath: String
  private var server: PipedProcess?

  /// Makes the keys and configurations and starts `sshd`, waiting until it listens.
  public init() throws {
    directory = try TemporaryDirectory("sshd")
    port = try Self.freePort()
    logPath = directory.file("sshd.log")
    for key in ["host_key", "client_key", "other_key"] {
      try Self.run("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", directory.file(key)])
    }
    let clientPublic = try String(contentsOfFile: directory.file("client_key.pub"), encoding: .utf8)
    try directory.write(clientPublic, to: "authorized_keys")
    let hostPublic = try String(contentsOfFile: directory.file("host_key.pub"), encoding: .utf8)
    try directory.write("[127.0.0.1]:\(port) \(hostPublic)", to: "known_hosts")
    try directory.write("", to: "empty_known_hosts")
    let otherPublic = try String(contentsOfFile: directory.file("other_key.pub"), encoding: .utf8)
    try directory.write("[127.0.0.1]:\(port) \(otherPublic)", to: "wrong_known_hosts")
    clientConfig = try directory.write(
      Self.client(identity: directory.file("client_key"), knownHosts: directory.file("known_hosts")),
      to: "ssh_config")
    try directory.write(
      """
      ListenAddress 127.0.0.1
      Port \(port)
      HostKey \(directory.file("host_key"))
      AuthorizedKeysFile \(directory.file("authorized_keys"))
      StrictModes no
      PidFile \(directory.file("sshd.pid"))
      UsePAM no
      PermitRootLogin prohibit-password
      PasswordAuthentication no
      KbdInteractiveAuthentication no
      LogLevel INFO
      MaxSessions 50
      MaxStartups 50

      """, to: "sshd_config")
    try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
    try start()
  }

  deinit { stop() }

  /// A client configuration with another key or known_hosts file (for the failure tests).
  public func clientConfig(identity: String = "client_key", knownHosts: String = "known_hosts")
    throws -> String
  {
    try directory.write(
      Self.client(identity: directory.file(identity), knownHosts: directory.file(knownHosts)),
      to: "ssh_config-\(identity)-\(knownHosts)")
  }

  /// Options for sessions with this server: its client configuration, quick retries.
  public func options(configFile: String? = nil, retries: Int = 3) -> SSHOptions {
    SSHOptions(
      configFile: configFile ?? clientConfig, connectTimeout: 5, controlPersist: 30,
      streamRetries: retries, retryDelay: 0.05)
  }

  /// The host as sessions name it: root on 127.0.0.1 at the server's port.
  public var host: SSHHost { SSHHost(user: "root", host: "127.0.0.1", port: port) }

  /// How many logins sshd has accepted so far.
  public func acceptedLogins() -> Int {
    let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
    return log.components(separatedBy: "Accepted publickey").count - 1
  }

  /// Ends every connection by killing the processes sshd started for them; sshd listens on.
  public func dropConnections() {
    guard let pid = server?.pid else { return }
    let children =
      (try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)) ?? ""
    for child in children.split(separator: " ").compactMap({ Int32($0) }) {
      kill(child, SIGKILL)
    }
  }

  /// Stops sshd (and the connections it serves).
  public func stop() {
    dropConnections()
    server?.terminate()
    server = nil
  }

  /// Stops sshd and removes the folder.
  public func remove() {
    stop()
    directory.remove()
  }

  private func start() throws {
    let process = try PipedProcess(
      "/usr/sbin/sshd", ["-D", "-f", directory.file("sshd_config"), "-E", logPath])
    server = process
    for _ in 0..<200 {
      let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
      if log.contains("Server listening") { return }
      usleep(20_000)
    }
    let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
    stop()
    throw FixtureError("sshd did not start: \(log)")
  }

  private static func client(identity: String, knownHosts: String) -> String {
    """
    Host *
      IdentityFile \(identity)
      IdentitiesOnly yes
      IdentityAgent none
      UserKnownHostsFile \(knownHosts)
      GlobalKnownHostsFile /dev/null
      StrictHostKeyChecking yes
      PasswordAuthentication no
      KbdInteractiveAuthentication no

    """
  }

  private static func run(_ executable: String, _ arguments: [String]) throws {
    let result = try ProcessRunner.run(executable, arguments)
    guard result.succeeded else {
      throw FixtureError("\(executable) failed: \(result.standardError)")
    }
  }

  /// A TCP port nothing listens on now.
  public static func freePort() throws -> Int {
    try PostgresLab.freePort()
  }
}
