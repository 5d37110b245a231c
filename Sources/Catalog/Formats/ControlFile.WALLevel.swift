extension ControlFile {
  /// The `wal_level` a cluster ran with, which decides what its WAL can tell.
  public enum WALLevel: Hashable, Sendable, CustomStringConvertible {
    case minimal
    case replica
    case logical
    /// A number no release writes.
    case unknown(Int32)

    init(rawValue: Int32) {
      switch rawValue {
      case 0: self = .minimal
      case 1: self = .replica
      case 2: self = .logical
      default: self = .unknown(rawValue)
      }
    }

    /// The setting's name, as in postgresql.conf and pg_controldata.
    public var description: String {
      switch self {
      case .minimal: "minimal"
      case .replica: "replica"
      case .logical: "logical"
      case .unknown(let value): "unrecognized wal_level \(value)"
      }
    }
  }
}
