import Compiler
import PlanModel
import PostgresVocabulary
import Testing
import _PITRTestSupport

/// Every WAL segment from the backup's start to the target must be archived: each missing one
/// is named, and a backup that cannot become consistent is refused.
@Suite struct MissingWALTests {
  private func segment(_ number: UInt64) -> String {
    WALSegmentName(timeline: TimelineID(1), segmentNumber: number, size: RepositoryFixture.segmentSize).description
  }

  private func firstError(
    _ marked: MarkedText, _ repository: SyntheticRepository,
    sourceLocation: Testing.SourceLocation = #_sourceLocation
  ) throws -> Diagnostic {
    let compilation = try #require(marked.compiled(repository), sourceLocation: sourceLocation)
    #expect(compilation.compiled == nil, sourceLocation: sourceLocation)
    #expect(compilation.errors.count == 1, sourceLocation: sourceLocation)
    return try #require(compilation.errors.first, sourceLocation: sourceLocation)
  }

  private func walEnds(at end: String, before target: String) -> String {
    "the archived WAL on timeline 1 ends at \(end) before the target \(target) is reached: "
      + "PostgreSQL would fail with \"recovery ended before configured recovery target was reached\""
  }

  @Test func everyMissingSegmentBeforeTheTargetIsNamed() throws {
    let repository = try SyntheticRepository(events: [.commit(700)], missing: [3, 5], trailingWAL: 5 << 20)
    defer { repository.remove() }
    let marked = markedPlan(repository, target: "  1️⃣time: \"2025-12-24 18:00:00+00\"")
    let error = try firstError(marked, repository)
    #expect(error.location == marked.at("1️⃣"))
    #expect(
      error.message
        == "segments \(segment(3)) and \(segment(5)) are missing from the archive, so "
        + walEnds(at: "0/300000", before: "time 2025-12-24 18:00:00+00"))
  }

  @Test func pastTenMissingSegmentsTheRestAreCounted() throws {
    let repository = try SyntheticRepository(
      events: [.commit(700)], missing: Set(3...15), trailingWAL: 16 << 20)
    defer { repository.remove() }
    let marked = markedPlan(repository, target: "  1️⃣time: \"2025-12-24 18:00:00+00\"")
    let error = try firstError(marked, repository)
    #expect(error.location == marked.at("1️⃣"))
    let named = (3...12).map(segment).joined(separator: ", ")
    #expect(
      error.message
        == "segments \(named) and 3 more are missing from the archive, so "
        + walEnds(at: "0/300000", before: "time 2025-12-24 18:00:00+00"))
  }

  @Test func anLSNTargetNamesOnlyTheSegmentsBeforeIt() throws {
    let repository = try SyntheticRepository(events: [.commit(700)], missing: [3, 6], trailingWAL: 6 << 20)
    defer { repository.remove() }
    let marked = markedPlan(repository, target: "  1️⃣lsn: 0/480000")
    let error = try firstError(marked, repository)
    #expect(error.location == marked.at("1️⃣"))
    #expect(
      error.message
        == "segment \(segment(3)) is missing from the archive, so "
        + walEnds(at: "0/300000", before: "LSN 0/480000"))
  }

  @Test func aRestorePointOrTransactionPastAGapNamesIt() throws {
    let repository = try SyntheticRepository(
      events: [.commit(700), .skip(to: LSN("0/400100")!), .restorePoint("late"), .commit(701)],
      missing: [3])
    defer { repository.remove() }
    let name = markedPlan(repository, target: "  1️⃣name: late")
    let nameError = try firstError(name, repository)
    #expect(nameError.location == name.at("1️⃣"))
    #expect(
      nameError.message
        == "segment \(segment(3)) is missing from the archive; no restore point named 'late' in "
        + "the WAL after backup b1 on timeline 1")
    #expect(nameError.notes.map(\.message) == ["there are no restore points in that WAL"])

    let xid = markedPlan(repository, target: "  1️⃣xid: 701")
    let xidError = try firstError(xid, repository)
    #expect(xidError.location == xid.at("1️⃣"))
    #expect(
      xidError.message
        == "segment \(segment(3)) is missing from the archive; transaction 701 has no commit or "
        + "abort in the WAL after backup b1 on timeline 1: it ended before the backup, has not "
        + "ended, or its WAL is not archived yet; PostgreSQL would fail with \"recovery ended "
        + "before configured recovery target was reached\"")
  }

  // MARK: - Before the backup is consistent

  @Test func walMissingBeforeTheBackupIsConsistent() throws {
    let repository = try SyntheticRepository(events: [.commit(700)], missing: [2])
    defer { repository.remove() }
    let marked = markedPlan(repository, target: "  1️⃣latest: true")
    let error = try firstError(marked, repository)
    #expect(error.location == marked.at("1️⃣"))
    #expect(
      error.message
        == "backup b1 cannot be restored: segment \(segment(2)) is missing from the archive before "
        + "the backup is consistent (0/200100); PostgreSQL would fail with \"WAL ends before end "
        + "of online backup\"")
    #expect(error.notes.isEmpty)
  }

  @Test func everySegmentMissingBeforeConsistencyAndAfterIsNamed() throws {
    // The .backup file says b1 stopped at 0/400100: segments 2 to 4 make it consistent.
    let repository = try SyntheticRepository(events: [.commit(700)], missing: [2, 3, 6], trailingWAL: 6 << 20)
    defer { repository.remove() }
    try repository.fixture.writeBackupHistory(start: "0/200028", stop: "0/400100")
    let marked = markedPlan(repository, target: "  1️⃣latest: true")
    let error = try firstError(marked, repository)
    #expect(error.location == marked.at("1️⃣"))
    #expect(
      error.message
        == "backup b1 cannot be restored: segments \(segment(2)) and \(segment(3)) are missing "
        + "from the archive before the backup is consistent (0/400100); PostgreSQL would fail "
        + "with \"WAL ends before end of online backup\"")
    #expect(error.notes.map(\.message) == ["also missing on the way to the target: \(segment(6))"])
  }

  @Test func aBackupWhoseConsistentPointIsUnknownIsRefused() throws {
    var control = ControlFileFixture()
    control.set(UInt64(0), at: 160)  // no backup end point: not a standby's backup
    let repository = try SyntheticRepository(
      backups: [.init(id: "b1", manifest: false, control: control)], events: [.commit(700)])
    defer { repository.remove() }
    let marked = markedPlan(repository, target: "  1️⃣latest: true")
    let error = try firstError(marked, repository)
    #expect(error.location == marked.at("1️⃣"))
    #expect(
      error.message
        == "backup b1 has no .backup file in the archive and no manifest, so where it becomes "
        + "consistent is unknown; keep the .backup file or the backup_manifest")
  }

  @Test func aTimelineWithoutItsHistoryFileIsRefused() throws {
    let repository = try SyntheticRepository(backups: [.init(id: "b1", timeline: 2)], events: [.commit(700)])
    defer { repository.remove() }
    let marked = markedPlan(repository, target: "  1️⃣latest: true")
    let error = try firstError(marked, repository)
    #expect(error.location == marked.at("1️⃣"))
    #expect(
      error.message
        == "recovery from backup b1 follows timeline 2, whose history file (00000002.history) is "
        + "not in the archive, so pitr cannot tell which segments it reads; copy it into the "
        + "archive from pg_wal/ of a server on timeline 2")
  }
}
