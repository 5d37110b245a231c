import Compiler
import PlanModel
import PostgresVocabulary
import Testing
import _PITRTestSupport

/// `backups.select`: `auto` falls back to an older backup when the newest cannot reach the
/// target, `latest` and an id take that backup, and the dry run says why of each.
@Suite struct BackupSelectionTests {
  /// b1 at 0/200028, b2 at 0/300028 (consistent at 0/300100); commit 700, restore point
  /// `before_delete` and commit 701 are in segment 2, before b2 starts.
  private func repository() throws -> SyntheticRepository {
    try SyntheticRepository(
      backups: [.init(id: "b1"), .init(id: "b2", start: "0/300028", checkpoint: "0/300060")],
      events: [.commit(700), .restorePoint("before_delete"), .commit(701)])
  }

  /// Compiles with `select: auto`; expects b1, chosen over b2 for `verdict`.
  private func expectFallback(
    _ repository: SyntheticRepository, target: String, verdict: String,
    sourceLocation: Testing.SourceLocation = #_sourceLocation
  ) throws -> CompiledPlan {
    let compiled = try #require(
      markedPlan(repository, target: target).compiled(repository)?.compiled, sourceLocation: sourceLocation)
    #expect(compiled.backup.id == "b1", sourceLocation: sourceLocation)
    #expect(
      compiled.backup.reason == "the newest backup from which recovery reaches the target",
      sourceLocation: sourceLocation)
    #expect(compiled.alternatives.map(\.id) == ["b2"], sourceLocation: sourceLocation)
    #expect(compiled.alternatives.map(\.verdict) == [verdict], sourceLocation: sourceLocation)
    return compiled
  }

  @Test func autoFallsBackForATimeTheNewestBackupAlreadyHolds() throws {
    let repository = try repository()
    defer { repository.remove() }
    // 17:02:30: after 700 (17:01), before 701 (17:03), which b2 already holds.
    let compiled = try expectFallback(
      repository, target: "  time: \"2025-12-24 17:02:30+00\"",
      verdict: "backup b2 already holds transaction 701, which ended at \(repository.time(2)), "
        + "after the target 2025-12-24 17:02:30+00: recovery cannot go back in time (PostgreSQL "
        + "would stop at the backup's end, or fail); use an earlier backup")
    #expect(
      compiled.prediction.stopMessage
        == "recovery stopping before commit of transaction 701, time \(repository.serverTime(2))")
  }

  @Test func autoFallsBackForAnLSNBeforeTheNewestBackupIsConsistent() throws {
    let repository = try repository()
    defer { repository.remove() }
    let lsn = repository.lsn(2)
    let compiled = try expectFallback(
      repository, target: "  lsn: \(lsn)",
      verdict: "LSN \(lsn) is before backup b2 is consistent (0/300100): PostgreSQL would fail "
        + "with \"requested recovery stop point is before consistent recovery point\"; target "
        + "0/300100 or later, or use an earlier backup")
    #expect(compiled.prediction.stopLSN == lsn)
  }

  @Test func autoFallsBackForATransactionThatEndedBeforeTheNewestBackup() throws {
    let repository = try repository()
    defer { repository.remove() }
    let compiled = try expectFallback(
      repository, target: "  xid: 701",
      verdict: "transaction 701 has no commit or abort in the WAL after backup b2 on timeline 1: "
        + "it ended before the backup, has not ended, or its WAL is not archived yet; PostgreSQL "
        + "would fail with \"recovery ended before configured recovery target was reached\"")
    #expect(
      compiled.prediction.stopMessage
        == "recovery stopping after commit of transaction 701, time \(repository.serverTime(2))")
  }

  @Test func autoFallsBackForARestorePointMadeBeforeTheNewestBackup() throws {
    let repository = try repository()
    defer { repository.remove() }
    let compiled = try expectFallback(
      repository, target: "  name: before_delete",
      verdict: "no restore point named 'before_delete' in the WAL after backup b2 on timeline 1")
    #expect(
      compiled.prediction.stopMessage
        == "recovery stopping at restore point \"before_delete\", time \(repository.serverTime(1))")
  }

  @Test func latestTakesTheNewestBackup() throws {
    let repository = try repository()
    defer { repository.remove() }
    let compiled = try #require(
      markedPlan(repository, select: "latest", target: "  latest: true").compiled(repository)?.compiled)
    #expect(compiled.backup.id == "b2")
    #expect(compiled.backup.reason == "the newest backup (select: latest)")
    #expect(compiled.alternatives.map(\.id) == ["b1"])
    #expect(compiled.alternatives.map(\.verdict) == ["would also reach the target"])

    // Even when an older one would reach the target: the error is the newest's.
    let marked = markedPlan(repository, select: "latest", target: "  1️⃣xid: 701")
    let compilation = try #require(marked.compiled(repository))
    #expect(compilation.compiled == nil)
    #expect(compilation.errors.map(\.location) == [marked.at("1️⃣")])
    #expect(
      compilation.errors.map(\.message) == [
        "transaction 701 has no commit or abort in the WAL after backup b2 on timeline 1: it "
          + "ended before the backup, has not ended, or its WAL is not archived yet; PostgreSQL "
          + "would fail with \"recovery ended before configured recovery target was reached\""
      ])
  }

  @Test func anIDTakesThatBackup() throws {
    let repository = try repository()
    defer { repository.remove() }
    let compiled = try #require(
      markedPlan(repository, select: "b1", target: "  latest: true").compiled(repository)?.compiled)
    #expect(compiled.backup.id == "b1")
    #expect(compiled.backup.reason == "chosen by id in the plan")
    #expect(compiled.alternatives.map(\.id) == ["b2"])
    #expect(compiled.alternatives.map(\.verdict) == ["would also reach the target"])
  }

  @Test func noBackupReachingTheTargetIsAnErrorWithEachOnesReason() throws {
    let repository = try repository()
    defer { repository.remove() }
    let marked = markedPlan(repository, target: "  1️⃣time: \"2025-12-24 18:00:00+00\"")
    let compilation = try #require(marked.compiled(repository))
    #expect(compilation.compiled == nil)
    let error = try #require(compilation.errors.first)
    #expect(compilation.errors.count == 1)
    #expect(error.location == marked.at("1️⃣"))
    #expect(error.message == "no base backup can reach this target")
    let walEnds =
      "the archived WAL on timeline 1 ends at \(repository.end) before the target time "
      + "2025-12-24 18:00:00+00 is reached: PostgreSQL would fail with \"recovery ended before "
      + "configured recovery target was reached\""
    // What the repository reaches: the latest a time target can be is 701's end.
    let last = "(last transaction 701, which ended at \(repository.time(2)))"
    #expect(
      error.notes.map(\.message) == [
        "backup b2: " + walEnds, "backup b1: " + walEnds,
        "the restorable windows are: backup b1 on timeline 1, 0/200100 to \(repository.end) \(last); "
          + "backup b2 on timeline 1, 0/300100 to \(repository.end) \(last)",
      ])
  }

  @Test func theDryRunListsTheBackupsNotChosenWithTheirReason() throws {
    let repository = try repository()
    defer { repository.remove() }
    let compiled = try #require(
      markedPlan(repository, target: "  xid: 701").compiled(repository)?.compiled)
    let resolver = StepResolver(
      pitrExecutable: "/usr/local/bin/pitr", binDirectory: "/usr/lib/postgresql/15/bin", serverUser: nil)
    let text = PlanText.render(compiled, resolver: resolver)
    let backupSection = text.split(separator: "\n\n", omittingEmptySubsequences: false)[1]
    #expect(
      backupSection == """
        Backup b1 (\(repository.base)/b1)
          why: the newest backup from which recovery reaches the target
          starts at 0/200028, consistent at 0/200100, timeline 1, PostgreSQL 15, tar, 13.1 KiB extracted
          not b2: transaction 701 has no commit or abort in the WAL after backup b2 on timeline 1: it ended before the backup, has not ended, or its WAL is not archived yet; PostgreSQL would fail with "recovery ended before configured recovery target was reached"
        """)
  }
}
