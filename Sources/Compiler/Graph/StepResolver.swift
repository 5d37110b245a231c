/// Turns a step's symbolic command into the words that run: the one place that does it, for
/// the dry run's text and for the executor alike, so the dry run shows exactly what runs.
public struct StepResolver: Sendable {
  /// The `pitr` executable.
  public var pitrExecutable: String
  /// Where `pg_ctl` and `postgres` are.
  public var binDirectory: String?
  /// The OS user the server runs as, when pitr runs as root.
  public var serverUser: String?

  public init(pitrExecutable: String, binDirectory: String?, serverUser: String?) {
    self.pitrExecutable = pitrExecutable
    self.binDirectory = binDirectory
    self.serverUser = serverUser
  }

  /// The program and arguments of a step's command, `runuser -u USER --` in front when the
  /// step runs as the server's user; `nil` for steps without a command.
  public func commandLine(of step: Step) -> [String]? {
    guard let command = step.command else { return nil }
    let words = command.map(resolve)
    if step.action.runsAsServerUser, let serverUser {
      return ["/usr/sbin/runuser", "-u", serverUser, "--"] + words
    }
    return words
  }

  /// The programs a step runs after its command (``StepAction/followingCommands``), as
  /// ``commandLine(of:)`` resolves its command.
  public func followingCommandLines(of step: Step) -> [[String]] {
    step.action.followingCommands.map { command in
      let words = command.map(resolve)
      if step.action.runsAsServerUser, let serverUser { return ["/usr/sbin/runuser", "-u", serverUser, "--"] + words }
      return words
    }
  }

  public func resolve(_ argument: ArgumentTemplate) -> String {
    switch argument {
    case .literal(let text): text
    case .pitr: pitrExecutable
    case .serverBinary(let name): binDirectory.map { "\($0)/\(name)" } ?? name
    }
  }

  /// A command as a shell would need it typed.
  public static func shellText(_ words: [String]) -> String {
    words.map(ConfigurationValue.shellWord).joined(separator: " ")
  }
}
