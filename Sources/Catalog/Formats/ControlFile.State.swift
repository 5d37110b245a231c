extension ControlFile {
  /// The cluster state pg_control records (`DBState`), worded as pg_controldata prints it.
  public enum State: Hashable, Sendable, CustomStringConvertible {
    case startingUp
    case shutDown
    case shutDownInRecovery
    case shuttingDown
    case inCrashRecovery
    case inArchiveRecovery
    /// Running normally; also what a base backup's copy shows, since it was copied live.
    case inProduction
    /// A number no release writes.
    case unknown(Int32)

    init(rawValue: Int32) {
      switch rawValue {
      case 0: self = .startingUp
      case 1: self = .shutDown
      case 2: self = .shutDownInRecovery
      case 3: self = .shuttingDown
      case 4: self = .inCrashRecovery
      case 5: self = .inArchiveRecovery
      case 6: self = .inProduction
      default: self = .unknown(rawValue)
      }
    }

    public var description: String {
      switch self {
      case .startingUp: "starting up"
      case .shutDown: "shut down"
      case .shutDownInRecovery: "shut down in recovery"
      case .shuttingDown: "shutting down"
      case .inCrashRecovery: "in crash recovery"
      case .inArchiveRecovery: "in archive recovery"
      case .inProduction: "in production"
      case .unknown(let value): "unrecognized status code \(value)"
      }
    }
  }
}
