extension PostgresLab {
  /// Where a restored server's recovery ends, which `PostgresLab.restore` waits for.
  public enum RecoveryEnd: String, Sendable, Hashable, CaseIterable {
    /// Recovery ended and the server accepts writes on a new timeline
    /// (`recovery_target_action = 'promote'`, or no target at all).
    case promoted
    /// Recovery paused at the target and the server answers read-only queries
    /// (`recovery_target_action = 'pause'`, the default when a target is set).
    case paused
    /// The server stopped at the target (`recovery_target_action = 'shutdown'`).
    case shutDown
    /// The server stopped with a FATAL error, such as a target it could not reach; its log says
    /// why.
    case failed

    /// What PostgreSQL does with these recovery settings when all goes well.
    public static func expected(for recovery: [String: String]) -> RecoveryEnd {
      let targets = [
        "recovery_target", "recovery_target_name", "recovery_target_time",
        "recovery_target_xid", "recovery_target_lsn",
      ]
      guard targets.contains(where: { recovery[$0] != nil }) else { return .promoted }
      switch recovery["recovery_target_action"]?.lowercased() {
      case "promote": return .promoted
      case "shutdown": return .shutDown
      default: return .paused
      }
    }
  }
}
