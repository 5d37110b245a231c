import Compiler
import PlanModel
import PostgresVocabulary
import Testing
import WAL
import _PITRTestSupport

/// Reachability and backup selection, each failure located at the plan key it concerns.
@Suite struct TargetCheckTests {
  /// Plan text with markers; `target` lines are indented by two spaces.
  private func plan(_ repository: SyntheticRepository, target: String, extra: String = "") -> MarkedText {
    MarkedText(
      """
      version: 1
      backups:
        base: \(repository.base)
        wal: \(repository.wal)
        3️⃣select: auto
      target:
      \(target)
      destination:
        data_directory: /srv/restore-test
        port: 5599
        os_user: postgres
      action: promote
      \(extra)
      """)
  }

  private func check(
    _ marked: MarkedText, _ repository: SyntheticRepository, environment: FixedEnvironment = FixedEnvironment()
  ) -> PlanCompiler.Compilation? {
    compile(marked.text, base: repository.base, wal: [repository.wal], environment: environment)
  }

  private func location(_ marked: MarkedText, _ marker: String) -> PlanModel.SourceLocation? {
    marked.location(marker, file: "plans/test.yaml")
  }

  @Test func timeTargetStopsBeforeTheFirstLaterCommit() throws {
    let repository = try SyntheticRepository(events: [.commit(700), .commit(701), .commit(702)])
    defer { repository.remove() }
    let between = PostgresTimestamp(microsecondsSince2000: repository.time(0).microsecondsSince2000 + 30_000_000)
    let compiled = try #require(check(plan(repository, target: "  time: \"\(between)\""), repository)?.compiled)
    #expect(
      compiled.prediction.stopMessage
        == "recovery stopping before commit of transaction 701, time \(repository.serverTime(1))")
    #expect(compiled.prediction.stopLSN == repository.lsn(1))
    #expect(compiled.prediction.lastCompletedTransaction?.transactionID == 700)
    #expect(compiled.target.timeText == "2025-12-24 17:01:30+00")
    #expect(compiled.prediction.newTimeline == TimelineID(2))
  }

  @Test func timeWithoutAZoneIsReadInTheBackupsTimezone() throws {
    let repository = try SyntheticRepository(events: [.commit(700), .commit(701)])
    defer { repository.remove() }
    // 10:01:30 in America/Phoenix (the fixture's timezone, -07) is 17:01:30 UTC.
    let compiled = try #require(
      check(plan(repository, target: "  time: \"2025-12-24 10:01:30\""), repository)?.compiled)
    #expect(compiled.target.timeText == "2025-12-24 10:01:30-07")
    #expect(
      compiled.target.instant
        == PostgresTimestamp(microsecondsSince2000: SyntheticRepository.startTime.microsecondsSince2000 + 90_000_000))
    #expect(
      compiled.notes.contains(
        "'2025-12-24 10:01:30' has no zone: read in the backup's timezone America/Phoenix = 2025-12-24 10:01:30-07"))
    #expect(compiled.configuration.value(of: "recovery_target_time") == "2025-12-24 10:01:30-07")
  }

  @Test func timeAfterTheArchivedWALIsRefusedWithTheWindow() throws {
    let repository = try SyntheticRepository(events: [.commit(700), .commit(701)])
    defer { repository.remove() }
    let marked = plan(repository, target: "  1️⃣time: \"2025-12-24 18:00:00+00\"")
    let compilation = try #require(check(marked, repository))
    #expect(compilation.compiled == nil)
    let error = try #require(compilation.diagnostics.first { $0.severity == .error })
    #expect(error.location == location(marked, "1️⃣"))
    #expect(
      error.message
        == "the archived WAL on timeline 1 ends at \(repository.end) before the target time "
        + "2025-12-24 18:00:00+00 is reached: PostgreSQL would fail with \"recovery ended before "
        + "configured recovery target was reached\"")
    #expect(
      error.notes.map(\.message) == [
        "archive the newest WAL first: run pg_switch_wal() on the source, then validate again (with "
          + "source.switch_wal: true, pitr apply runs it itself before it checks the plan)",
        "the restorable window of backup b1 on timeline 1 is 0/200100 to \(repository.end); the "
          + "last transaction it reaches is 701, which ended at \(repository.time(1))",
      ])
  }

  @Test func timeBeforeWhatTheBackupHoldsIsRefused() throws {
    // Transaction 699 committed while the backup was taken, at 17:01.
    let repository = try SyntheticRepository(duringBackup: [.commit(699)], events: [.commit(700)])
    defer { repository.remove() }
    let marked = plan(repository, target: "  1️⃣time: \"2025-12-24 17:00:30+00\"")
    let error = try #require(check(marked, repository)?.diagnostics.first { $0.severity == .error })
    #expect(error.location == location(marked, "1️⃣"))
    #expect(
      error.message
        == "backup b1 already holds transaction 699, which ended at \(repository.time(0)), after "
        + "the target 2025-12-24 17:00:30+00: recovery cannot go back in time (PostgreSQL would "
        + "stop at the backup's end, or fail); no backup is older, so the earliest time target "
        + "this repository can reach is \(repository.time(0)), when transaction 699, the last one "
        + "backup b1 holds, ended")
  }

  @Test func restorePointMadeDuringTheBackupIsRefused() throws {
    let repository = try SyntheticRepository(duringBackup: [.restorePoint("early")], events: [.commit(700)])
    defer { repository.remove() }
    let marked = plan(repository, target: "  1️⃣name: early")
    let compilation = try #require(check(marked, repository))
    #expect(compilation.compiled == nil)
    let error = try #require(compilation.diagnostics.first { $0.severity == .error })
    #expect(error.location == location(marked, "1️⃣"))
    #expect(
      error.message
        == "restore point 'early' (\(repository.lsn(0))) was made while backup b1 was being taken, "
        + "before it is consistent (0/200100): PostgreSQL would fail with \"requested recovery "
        + "stop point is before consistent recovery point\"; no backup is older, so the earliest "
        + "target this repository can reach is where backup b1 becomes consistent, the start of "
        + "its restorable window on timeline 1: lsn: 0/200100, or immediate: true")
  }

  @Test func transactionThatEndedDuringTheBackupIsRefused() throws {
    let repository = try SyntheticRepository(duringBackup: [.commit(699)], events: [.commit(700)])
    defer { repository.remove() }
    let marked = plan(repository, target: "  1️⃣xid: 699")
    let compilation = try #require(check(marked, repository))
    #expect(compilation.compiled == nil)
    let error = try #require(compilation.diagnostics.first { $0.severity == .error })
    #expect(error.location == location(marked, "1️⃣"))
    #expect(
      error.message
        == "transaction 699 ended at \(repository.lsn(0)), while backup b1 was being taken (it is "
        + "consistent only at 0/200100): PostgreSQL would fail with \"requested recovery stop "
        + "point is before consistent recovery point\"; no backup is older, so the earliest "
        + "target this repository can reach is where backup b1 becomes consistent, the start of "
        + "its restorable window on timeline 1: lsn: 0/200100, or immediate: true")
  }

  @Test func restorePointsByName() throws {
    let repository = try SyntheticRepository(
      events: [.commit(700), .restorePoint("before_delete"), .commit(701), .restorePoint("before_delete")])
    defer { repository.remove() }
    let compilation = try #require(check(plan(repository, target: "  1️⃣name: before_delete"), repository))
    let compiled = try #require(compilation.compiled)
    #expect(
      compiled.prediction.stopMessage
        == "recovery stopping at restore point \"before_delete\", time \(repository.serverTime(1))")
    let marked = plan(repository, target: "  1️⃣name: before_delete")
    let warning = try #require(compilation.diagnostics.first { $0.severity == .warning })
    #expect(warning.location == location(marked, "1️⃣"))
    #expect(
      warning.message
        == "restore point 'before_delete' occurs 2 times; recovery stops at the first "
        + "(\(repository.lsn(1)), \(repository.time(1)))")

    let missing = plan(repository, target: "  1️⃣name: nope")
    let error = try #require(check(missing, repository)?.diagnostics.first { $0.severity == .error })
    #expect(error.location == location(missing, "1️⃣"))
    #expect(error.message == "no restore point named 'nope' in the WAL after backup b1 on timeline 1")
    #expect(error.notes.map(\.message) == ["restore points there: before_delete"])
  }

  @Test func transactionTargets() throws {
    let repository = try SyntheticRepository(events: [.commit(700), .abort(701), .commit(702)])
    defer { repository.remove() }
    let after = try #require(check(plan(repository, target: "  xid: 701"), repository)?.compiled)
    #expect(
      after.prediction.stopMessage
        == "recovery stopping after abort of transaction 701, time \(repository.serverTime(1))")
    let before = try #require(check(plan(repository, target: "  xid: 702\n  inclusive: false"), repository)?.compiled)
    #expect(
      before.prediction.stopMessage
        == "recovery stopping before commit of transaction 702, time \(repository.serverTime(2))")
    let marked = plan(repository, target: "  1️⃣xid: 999")
    let error = try #require(check(marked, repository)?.diagnostics.first { $0.severity == .error })
    #expect(error.location == location(marked, "1️⃣"))
    #expect(error.message.hasPrefix("transaction 999 has no commit or abort in the WAL after backup b1 on timeline 1"))
  }

  @Test func lsnTargets() throws {
    let repository = try SyntheticRepository(events: [.commit(700), .commit(701)])
    defer { repository.remove() }
    let compiled = try #require(check(plan(repository, target: "  lsn: \(repository.lsn(1))"), repository)?.compiled)
    #expect(compiled.prediction.stopMessage == "recovery stopping after WAL location (LSN) \"\(repository.lsn(1))\"")
    let early = plan(repository, target: "  1️⃣lsn: 0/200050")
    let error = try #require(check(early, repository)?.diagnostics.first { $0.severity == .error })
    #expect(error.location == location(early, "1️⃣"))
    #expect(
      error.message
        == "LSN 0/200050 is before backup b1 is consistent (0/200100): PostgreSQL would fail with "
        + "\"requested recovery stop point is before consistent recovery point\"; target 0/200100 "
        + "or later (no backup is older)")
    let late = plan(repository, target: "  1️⃣lsn: 5/0")
    let beyond = try #require(check(late, repository)?.diagnostics.first { $0.severity == .error })
    #expect(
      beyond.message.hasPrefix(
        "the archived WAL on timeline 1 ends at \(repository.end) before the target LSN 5/0 is reached"))
  }

  @Test func immediateAndLatest() throws {
    let repository = try SyntheticRepository(events: [.commit(700)])
    defer { repository.remove() }
    let immediate = try #require(check(plan(repository, target: "  immediate: true"), repository)?.compiled)
    #expect(immediate.prediction.stopMessage == "recovery stopping after reaching consistency")
    #expect(immediate.configuration.value(of: "recovery_target") == "immediate")
    let latest = try #require(check(plan(repository, target: "  latest: true"), repository)?.compiled)
    #expect(latest.prediction.stopMessage == nil)
    #expect(latest.prediction.lastCompletedTransaction?.transactionID == 700)
  }

  @Test func missingSegmentIsNamed() throws {
    // Segment 3 is missing: recovery cannot go past it.
    let repository = try SyntheticRepository(events: [.commit(700)], missing: [3])
    defer { repository.remove() }
    // A target before the gap is reachable; one after it is not, and the gap is named.
    #expect(check(plan(repository, target: "  time: \"2025-12-24 17:00:30+00\""), repository)?.compiled != nil)
    let marked = plan(repository, target: "  1️⃣time: \"2025-12-24 17:30:00+00\"")
    let error = try #require(check(marked, repository)?.diagnostics.first { $0.severity == .error })
    #expect(error.location == location(marked, "1️⃣"))
    #expect(
      error.message
        == "segment 000000010000000000000003 is missing from the archive, so the archived WAL on "
        + "timeline 1 ends at 0/300000 before the target time 2025-12-24 17:30:00+00 is reached: "
        + "PostgreSQL would fail with \"recovery ended before configured recovery target was reached\"")
  }

  @Test func backupSelection() throws {
    let repository = try SyntheticRepository(
      backups: [.init(id: "b1"), .init(id: "b2", start: "0/300028", checkpoint: "0/300060")],
      events: [.commit(700), .commit(701)])
    defer { repository.remove() }
    // Both end before 17:03; auto takes the newest, b2 (its window needs WAL of segment 3).
    let compiled = try #require(check(plan(repository, target: "  latest: true"), repository)?.compiled)
    #expect(compiled.backup.id == "b2")
    #expect(compiled.backup.reason == "the newest backup, and recovery from it reaches the target")
    #expect(compiled.alternatives.map(\.id) == ["b1"])

    let marked = plan(repository, target: "  latest: true").text.replacing("select: auto", with: "select: b9")
    let text = MarkedText(marked)
    let error = try #require(
      compile(text.text, base: repository.base, wal: [repository.wal])?.diagnostics.first { $0.severity == .error })
    #expect(error.location?.line == 5)
    #expect(error.message == "no backup with id 'b9' in \(repository.base)")
    #expect(error.notes.map(\.message) == ["the backups there are: b1, b2"])
  }
}
