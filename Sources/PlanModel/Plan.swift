/// A restore plan (format version 1): which backups to restore, up to which target, where,
/// and what to do once the target is reached.
///
/// Every value keeps its position in the plan file (`Located`), so the compiler can point at
/// the key it blames. Defaults are filled in by the loader and located at their section.
public struct Plan: Hashable, Sendable, Codable {
  /// The plan file as the user named it.
  public var file: String
  /// The plan format version; always 1 for now.
  public var version: Located<Int>
  /// A short name for journals, locks and reports; defaults to the file's stem.
  public var name: Located<String>
  /// The cluster the backups come from, when the plan describes it.
  public var source: SourceCluster?
  /// Where the base backups and the WAL archive are.
  public var backups: Backups
  /// Where recovery stops, and on which timeline.
  public var target: RecoveryTarget
  /// Where the restored cluster goes.
  public var destination: Destination
  /// What happens once the target is reached.
  public var action: Located<RecoveryAction>
  /// SQL checks run on the restored server once the target is reached.
  public var verify: [VerificationCheck]

  public init(
    file: String, version: Located<Int>, name: Located<String>, source: SourceCluster?,
    backups: Backups, target: RecoveryTarget, destination: Destination,
    action: Located<RecoveryAction>, verify: [VerificationCheck]
  ) {
    self.file = file
    self.version = version
    self.name = name
    self.source = source
    self.backups = backups
    self.target = target
    self.destination = destination
    self.action = action
    self.verify = verify
  }
}

/// What pitr does once recovery reaches the target (`recovery_target_action`, plus pitr's own
/// `promote-if-verified`).
public enum RecoveryAction: String, Hashable, Sendable, Codable, CaseIterable {
  /// End recovery and open the cluster for writes.
  case promote
  /// Stay paused at the target, read-only, so a person can look before deciding.
  case pause
  /// Stop the server at the target.
  case shutdown
  /// Pause, run the checks, and promote only if every one passes.
  case promoteIfVerified = "promote-if-verified"

  /// The `recovery_target_action` PostgreSQL is given for this action.
  public var postgresAction: String {
    switch self {
    case .promote: "promote"
    case .pause, .promoteIfVerified: "pause"
    case .shutdown: "shutdown"
    }
  }
}
