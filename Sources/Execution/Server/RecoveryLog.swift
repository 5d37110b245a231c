/// Reads a recovering server's log: where recovery stopped, whether it paused, promoted or
/// shut down, and each way it can fail (FORMATS.md §5.3), in plain words.
public enum RecoveryLog {
  /// What a log says so far.
  public struct State: Equatable, Sendable {
    /// The `recovery stopping …` message, without the log prefix.
    public var stopMessage: String?
    /// `last completed transaction was at log time …`, the time text.
    public var lastCompletedTransaction: String?
    public var paused = false
    public var promoted = false
    public var shutDownAtTarget = false
    public var readyForConnections = false
    /// The first fatal failure: a plain-words explanation, and the log lines that show it.
    public var failure: String?
    public var failureLines: [String] = []
  }

  /// Known fatal messages of recovery, and what they mean for a restore.
  static let explanations: [(fragment: String, meaning: String)] = [
    (
      "recovery ended before configured recovery target was reached",
      "the WAL ran out before the target was reached: a segment is missing from the archive "
        + "(deleted, or never archived: run pg_switch_wal() on the source), or the target is "
        + "later than the last archived commit"
    ),
    (
      "requested recovery stop point is before consistent recovery point",
      "the target lies before the backup is consistent: choose an earlier backup or a later target"
    ),
    (
      "is not a child of this server's history",
      "the requested timeline does not descend from the backup's: use 'timeline: current' (a "
        + "history file in the archive does not belong to this backup's history)"
    ),
    (
      "WAL ends before end of online backup",
      "WAL written while the backup was taken is missing from the archive and the backup"
    ),
    (
      "WAL ends before consistent recovery point",
      "WAL needed to make the backup consistent is missing from the archive"
    ),
    (
      "insufficient parameter settings",
      "a hot-standby setting (max_connections, max_worker_processes, max_wal_senders, "
        + "max_prepared_transactions or max_locks_per_transaction) is lower than on the primary"
    ),
    (
      "recovery target timeline",
      "the requested recovery target timeline has no history file in the archive"
    ),
    (
      "could not restore file",
      "pitr wal-fetch found a WAL file in the archive but could not use it (damaged, from "
        + "another cluster, or unreadable): its error line is just above in the log; replace "
        + "the file from another copy of the archive, or choose a target before it"
    ),
    (
      "could not locate required checkpoint record",
      "the backup's start checkpoint is not in the archive or the backup's pg_wal"
    ),
  ]

  /// What a `could not restore file` means when the line before it is wal-fetch saying it
  /// could not read the archive at all, rather than that a file in it was bad.
  static let archiveUnreadable =
    "pitr wal-fetch could not read the archive (a folder gone or unreadable, a host or S3 "
    + "endpoint that cannot be reached), so it stopped recovery rather than let it end early: its "
    + "error line is just above in the log; make the archive readable and run pitr apply again "
    + "(it resumes)"

  /// What it means when wal-fetch's line says a segment the plan saw archived is gone.
  static let segmentRemoved =
    "a WAL segment that was in the archive when the plan was compiled is gone, so pitr wal-fetch "
    + "stopped recovery rather than let it end there: its error line is just above in the log; put "
    + "the segment back (from another copy of the archive) and run pitr apply again (it resumes)"

  /// FATAL messages a client's connection gets (pitr's own polling among them): they end the
  /// connection, not the server, so they are not failures of the restore.
  static let connectionMessages = [
    "the database system is starting up", "the database system is not yet accepting connections",
    "the database system is not accepting connections", "the database system is shutting down",
    "the database system is in recovery mode", "role \"", "database \"", "no pg_hba.conf entry",
    "authentication failed", "terminating connection", "sorry, too many clients",
    "canceling statement",
  ]

  /// Reads the whole log text. Where recovery stopped and how it ended come from the whole
  /// log (a restarted server logs its stop only once); a failure only from the lines of the
  /// server's last start, so that a run resumed after a failed one (the archive unmounted,
  /// then mounted again) is not failed again by the earlier run's FATAL.
  public static func read(_ text: String) -> State {
    var state = State()
    let lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
    let lastStart = lines.lastIndex { $0.contains("LOG:  starting PostgreSQL ") } ?? 0
    for (index, line) in lines.enumerated() {
      if let range = line.range(of: "recovery stopping ") {
        state.stopMessage = String(line[range.lowerBound...])
      } else if let range = line.range(of: "last completed transaction was at log time ") {
        state.lastCompletedTransaction = String(line[range.upperBound...])
      } else if line.contains("pausing at the end of recovery") || line.contains("recovery has paused") {
        state.paused = true
      } else if line.contains("archive recovery complete") || line.contains("selected new timeline ID") {
        state.promoted = true
      } else if line.contains("shutdown at recovery target") {
        state.shutDownAtTarget = true
      } else if line.contains("database system is ready to accept connections") {
        state.readyForConnections = true
      }
      if state.failure == nil, index >= lastStart, line.contains("FATAL:") || line.contains("PANIC:"),
        !connectionMessages.contains(where: line.contains)
      {
        let archiveGone =
          line.contains("could not restore file")
          && lines[max(0, index - 3)..<index].contains { $0.contains("whether it is archived there is unknown") }
        let segmentGone =
          line.contains("could not restore file")
          && lines[max(0, index - 3)..<index].contains { $0.contains("but it was archived when the plan was compiled") }
        let meaning =
          archiveGone
          ? archiveUnreadable
          : segmentGone ? segmentRemoved : explanations.first { line.contains($0.fragment) }?.meaning
        let start = line.range(of: "FATAL:")?.lowerBound ?? line.startIndex
        state.failure =
          meaning.map { "recovery failed: \($0)" } ?? "the server stopped with: \(line[start...])"
        state.failureLines = Array(lines[max(0, index - 6)...min(lines.count - 1, index + 3)])
      }
    }
    return state
  }
}
