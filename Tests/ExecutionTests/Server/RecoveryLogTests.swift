import Execution
import Testing

/// Reading a recovering server's log: the stop line, the outcome, and each FATAL of recovery
/// explained in plain words (FORMATS.md §5.3); clients' own FATALs are not failures.
@Suite struct RecoveryLogTests {
  private static func line(_ severity: String, _ message: String, pid: Int = 4242) -> String {
    "2026-11-22 18:14:41.982 UTC [\(pid)] \(severity):  \(message)"
  }

  @Test func readsTheStopThePauseAndThePromotion() {
    let log = [
      Self.line("LOG", "starting PostgreSQL 15.18"),
      Self.line("LOG", "recovery stopping before commit of transaction 728, time 2026-11-22 18:15:08.137584+00"),
      Self.line("LOG", "pausing at the end of recovery"),
      Self.line("LOG", "last completed transaction was at log time 2026-11-22 18:15:05.8+00"),
      Self.line("LOG", "selected new timeline ID: 2"),
      Self.line("LOG", "archive recovery complete"),
      Self.line("LOG", "database system is ready to accept connections"),
    ].joined(separator: "\n")
    let state = RecoveryLog.read(log)
    #expect(
      state.stopMessage == "recovery stopping before commit of transaction 728, time 2026-11-22 18:15:08.137584+00")
    #expect(state.lastCompletedTransaction == "2026-11-22 18:15:05.8+00")
    #expect(state.paused && state.promoted && state.readyForConnections)
    #expect(!state.shutDownAtTarget)
    #expect(state.failure == nil)
  }

  static let failures: [(fatal: String, explanation: String)] = [
    (
      "recovery ended before configured recovery target was reached",
      "recovery failed: the WAL ran out before the target was reached: a segment is missing from "
        + "the archive (deleted, or never archived: run pg_switch_wal() on the source), or the "
        + "target is later than the last archived commit"
    ),
    (
      "requested recovery stop point is before consistent recovery point",
      "recovery failed: the target lies before the backup is consistent: choose an earlier backup or a later target"
    ),
    (
      "requested timeline 2 is not a child of this server's history",
      "recovery failed: the requested timeline does not descend from the backup's: use 'timeline: "
        + "current' (a history file in the archive does not belong to this backup's history)"
    ),
    (
      "WAL ends before end of online backup",
      "recovery failed: WAL written while the backup was taken is missing from the archive and the backup"
    ),
    (
      "WAL ends before consistent recovery point",
      "recovery failed: WAL needed to make the backup consistent is missing from the archive"
    ),
    (
      "recovery aborted because of insufficient parameter settings",
      "recovery failed: a hot-standby setting (max_connections, max_worker_processes, "
        + "max_wal_senders, max_prepared_transactions or max_locks_per_transaction) is lower than on the primary"
    ),
    (
      "recovery target timeline 3 does not exist",
      "recovery failed: the requested recovery target timeline has no history file in the archive"
    ),
    (
      "could not restore file \"000000010000000000000003\" from archive: child process exited with exit code 200",
      "recovery failed: pitr wal-fetch found a WAL file in the archive but could not use it "
        + "(damaged, from another cluster, or unreadable): its error line is just above in the "
        + "log; replace the file from another copy of the archive, or choose a target before it"
    ),
  ]

  @Test(arguments: failures)
  func eachFatalOfRecoveryIsExplained(_ failure: (fatal: String, explanation: String)) {
    let lines =
      (1...8).map { Self.line("LOG", "redo line \($0)") } + [Self.line("FATAL", failure.fatal)]
      + [Self.line("LOG", "startup process (PID 4242) exited with exit code 1")]
    let state = RecoveryLog.read(lines.joined(separator: "\n"))
    #expect(state.failure == failure.explanation)
    // The FATAL line with what led to it and what followed.
    #expect(state.failureLines.contains(Self.line("FATAL", failure.fatal)))
    #expect(state.failureLines.first == Self.line("LOG", "redo line 3"))
    #expect(state.failureLines.last == Self.line("LOG", "startup process (PID 4242) exited with exit code 1"))
  }

  /// wal-fetch's exit 200 for an archive it could not read (an unmounted folder) is told as
  /// that, not as a damaged file to replace.
  @Test func anArchiveThatCouldNotBeReadIsToldApartFromADamagedFile() {
    let lines = [
      Self.line("LOG", "restored log file \"00000001000000000000002D\" from archive"),
      "pitr wal-fetch: error: 00000001000000000000002E: not found, but cannot read /backups/wal: No "
        + "such file or directory, so whether it is archived there is unknown; recovery stops here "
        + "rather than take it for the end of the archive: make it readable (the folder, host or "
        + "endpoint) and run pitr apply again (it resumes)",
      Self.line(
        "FATAL",
        "could not restore file \"00000001000000000000002E\" from archive: child process exited with exit code 200"),
    ]
    #expect(
      RecoveryLog.read(lines.joined(separator: "\n")).failure
        == "recovery failed: pitr wal-fetch could not read the archive (a folder gone or unreadable, a "
        + "host or S3 endpoint that cannot be reached), so it stopped recovery rather than let it end "
        + "early: its error line is just above in the log; make the archive readable and run pitr "
        + "apply again (it resumes)")
  }

  /// A server started again after a failed recovery is judged by what it logs since: the
  /// earlier start's FATAL is history (the stop message still counts from the whole log).
  @Test func aFailureBeforeTheLastStartIsHistory() {
    let fatal = Self.line(
      "FATAL",
      "could not restore file \"00000001000000000000002E\" from archive: child process exited with exit code 200")
    let first = [
      Self.line("LOG", "starting PostgreSQL 15.18 on x86_64-pc-linux-gnu"), fatal,
      Self.line("LOG", "shutting down due to startup process failure"),
    ]
    let second = [
      Self.line("LOG", "starting PostgreSQL 15.18 on x86_64-pc-linux-gnu"),
      Self.line("LOG", "restored log file \"00000001000000000000002E\" from archive"),
    ]
    #expect(RecoveryLog.read(first.joined(separator: "\n")).failure != nil)
    #expect(RecoveryLog.read((first + second).joined(separator: "\n")).failure == nil)
    let stopped = first + second + [Self.line("LOG", "recovery stopping after commit of transaction 7")]
    #expect(RecoveryLog.read((stopped + [fatal]).joined(separator: "\n")).failure != nil)
    let restarted = stopped + [Self.line("LOG", "starting PostgreSQL 15.18 on x86_64-pc-linux-gnu")]
    #expect(
      RecoveryLog.read(restarted.joined(separator: "\n")).stopMessage
        == "recovery stopping after commit of transaction 7")
  }

  @Test func anUnknownFatalIsQuotedAsIs() {
    let state = RecoveryLog.read(Self.line("FATAL", "could not open file \"global/pg_control\": Permission denied"))
    #expect(
      state.failure == "the server stopped with: FATAL:  could not open file \"global/pg_control\": Permission denied")
  }

  @Test(arguments: [
    "the database system is starting up", "the database system is not yet accepting connections",
    "role \"root\" does not exist", "database \"test\" does not exist",
    "terminating connection due to administrator command",
  ])
  func aClientsFatalIsNotAFailure(_ message: String) {
    #expect(RecoveryLog.read(Self.line("FATAL", message, pid: 9999)).failure == nil)
  }
}
