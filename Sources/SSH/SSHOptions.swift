/// How ``SSHSession`` runs `ssh`.
///
/// Everything else (keys, known hosts, proxies, ciphers) comes from the user's own
/// `~/.ssh/config`, or from ``configFile`` when one is given.
public struct SSHOptions: Sendable {
  /// The `ssh` program.
  public var executable: String
  /// A configuration file passed as `-F` instead of `~/.ssh/config`; nil for the user's.
  public var configFile: String?
  /// Seconds to wait for the TCP connection (`ConnectTimeout`).
  public var connectTimeout: Int
  /// Seconds the shared connection stays open once idle (`ControlPersist`), in case the
  /// session is never closed (pitr killed).
  public var controlPersist: Int
  /// Seconds between keep-alive probes on the connection (`ServerAliveInterval`); four
  /// unanswered probes end it.
  public var serverAliveInterval: Int
  /// How many times a stream whose connection drops is started again from the byte it
  /// reached before giving up.
  public var streamRetries: Int
  /// Seconds before the first retry; each further retry waits twice as long.
  public var retryDelay: Double

  public init(
    executable: String = "/usr/bin/ssh", configFile: String? = nil, connectTimeout: Int = 10,
    controlPersist: Int = 60, serverAliveInterval: Int = 15, streamRetries: Int = 3,
    retryDelay: Double = 1
  ) {
    self.executable = executable
    self.configFile = configFile
    self.connectTimeout = connectTimeout
    self.controlPersist = controlPersist
    self.serverAliveInterval = serverAliveInterval
    self.streamRetries = streamRetries
    self.retryDelay = retryDelay
  }
}
