import PostgresVocabulary

/// Where recovery stops (the plan's `target:` section).
public struct RecoveryTarget: Hashable, Sendable, Codable {
  /// The one kind of target the plan chose, located at its key.
  public var kind: Located<Kind>
  /// `recovery_target_inclusive`: stop just after the target (true) or just before it.
  /// Meaningful only for time, LSN and xid targets.
  public var inclusive: Located<Bool>
  /// `recovery_target_timeline`.
  public var timeline: Located<TimelineRequest>

  public init(kind: Located<Kind>, inclusive: Located<Bool>, timeline: Located<TimelineRequest>) {
    self.kind = kind
    self.inclusive = inclusive
    self.timeline = timeline
  }

  /// The kinds of recovery target, one per `recovery_target*` setting.
  public enum Kind: Hashable, Sendable, Codable {
    /// `recovery_target_time`.
    case time(TargetTime)
    /// `recovery_target_name`: a restore point made with `pg_create_restore_point()`.
    case name(String)
    /// `recovery_target_lsn`.
    case lsn(LSN)
    /// `recovery_target_xid`: a transaction that committed or aborted.
    case xid(UInt32)
    /// `recovery_target = 'immediate'`: stop as soon as the backup is consistent.
    case immediate
    /// No target: replay all the WAL there is.
    case latest

    /// The plan key that selects this kind (`time`, `name`, …).
    public var key: String {
      switch self {
      case .time: "time"
      case .name: "name"
      case .lsn: "lsn"
      case .xid: "xid"
      case .immediate: "immediate"
      case .latest: "latest"
      }
    }

    /// Whether `inclusive` means anything for this kind (PostgreSQL ignores it otherwise).
    public var usesInclusive: Bool {
      switch self {
      case .time, .lsn, .xid: true
      case .name, .immediate, .latest: false
      }
    }
  }
}

/// `recovery_target_timeline`.
public enum TimelineRequest: Hashable, Sendable, Codable, CustomStringConvertible {
  /// Follow the newest timeline found in the archive (PostgreSQL's default since 12).
  case latest
  /// Stay on the timeline the base backup was taken on.
  case current
  /// A specific timeline; its `.history` file must exist unless it is 1.
  case number(TimelineID)

  public var description: String {
    switch self {
    case .latest: "latest"
    case .current: "current"
    case .number(let timeline): timeline.description
    }
  }
}
