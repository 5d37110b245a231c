import Catalog
import Foundation
import PlanModel
import PostgresVocabulary
import Testing
import _PITRTestSupport

@Suite struct TimelineAndWindowTests {
  /// A backup at segment 2 of timeline 1, consistent at 0/200100 (1 MiB segments).
  private func fixtureWithBackup() throws -> RepositoryFixture {
    let fixture = try RepositoryFixture()
    try fixture.writeBackup(.init(id: "b1"))
    return fixture
  }

  @Test func windowRunsFromConsistencyToTheEndOfContinuousWAL() throws {
    let fixture = try fixtureWithBackup()
    defer { fixture.remove() }
    try fixture.writeSegments(timeline: 1, 2...5)
    try fixture.writeSegments(timeline: 1, 7...8)
    let catalog = fixture.scan()
    let window = try #require(catalog.windows.first)
    #expect(catalog.windows.count == 1)
    #expect(window.backupID == "b1")
    #expect(window.timeline == TimelineID(1))
    #expect(window.status == .restorable)
    #expect(window.start == LSN("0/200100"))
    #expect(window.end == LSN("0/600000"))
    #expect(window.lastSegment?.description == "000000010000000000000005")
    #expect(window.firstMissingSegment?.description == "000000010000000000000006")
    #expect(window.chosenByLatest)
    #expect(window.lastTransaction == nil)  // synthetic segments hold no records
  }

  @Test func missingWALBeforeConsistencyMakesTheBackupUnrestorable() throws {
    let fixture = try RepositoryFixture()
    defer { fixture.remove() }
    // Starts in segment 2, consistent only in segment 3; segment 3 is missing.
    var backup = RepositoryFixture.Backup(id: "b1", manifest: false)
    backup.start = "0/2FFF28"
    backup.checkpoint = "0/2FFF60"
    try fixture.writeBackup(backup)
    try fixture.writeBackupHistory(start: "0/2FFF28", stop: "0/300100")
    try fixture.writeSegments(timeline: 1, 2...2)
    try fixture.writeSegments(timeline: 1, 4...5)
    let window = try #require(fixture.scan().windows.first)
    #expect(window.status == .incomplete)
    #expect(window.firstMissingSegment?.description == "000000010000000000000003")
  }

  @Test func segmentsTheBackupCarriesFillTheArchive() throws {
    let fixture = try RepositoryFixture()
    defer { fixture.remove() }
    try fixture.writeBackup(.init(id: "b1", includedSegments: ["000000010000000000000002"]))
    try fixture.writeSegments(timeline: 1, 3...4)
    let window = try #require(fixture.scan().windows.first)
    #expect(window.status == .restorable)
    #expect(window.end == LSN("0/500000"))
  }

  @Test func windowFollowsATimelineSwitchFromTheNewTimelinesFiles() throws {
    let fixture = try fixtureWithBackup()
    defer { fixture.remove() }
    try fixture.writeSegments(timeline: 1, 2...4)
    // Timeline 2 forked at 0/480000; its copy of segment 4 and later ones are archived.
    try fixture.writeHistory(timeline: 2, [(1, "0/480000", "before 2025-07-01 03:00:00+00")])
    try fixture.writeSegments(timeline: 2, 4...6)
    let catalog = fixture.scan()
    #expect(catalog.windows.map(\.timeline) == [TimelineID(1), TimelineID(2)])
    let onOne = catalog.windows[0]
    #expect(onOne.end == LSN("0/500000"))
    #expect(!onOne.chosenByLatest)
    let onTwo = catalog.windows[1]
    #expect(onTwo.end == LSN("0/700000"))
    #expect(onTwo.lastSegment?.description == "000000020000000000000006")
    #expect(onTwo.chosenByLatest)
    #expect(catalog.timelines.map(\.timeline) == [TimelineID(1), TimelineID(2)])
    #expect(catalog.timelines[1].parent == TimelineID(1))
    #expect(catalog.timelines[1].switchLSN == LSN("0/480000"))
    #expect(catalog.timelines[1].reason == "before 2025-07-01 03:00:00+00")
    #expect(!catalog.timelines[1].parentContinuesPastFork)
  }

  @Test func strayHistoryFileIsFlaggedForBackupsAfterTheFork() throws {
    // FORMATS.md §5.2: an unrelated 00000002.history that forked early (here 0/21CD08) breaks
    // 'latest' for a later backup on timeline 1.
    let fixture = try RepositoryFixture()
    defer { fixture.remove() }
    let folder = try fixture.writeBackup(.init(id: "later", start: "0/F00028", checkpoint: "0/F00060"))
    try fixture.writeSegments(timeline: 1, 2...16)
    try fixture.writeHistory(timeline: 2, [(1, "0/21CD08", "before 2025-07-01 03:00:00+00")])
    let catalog = fixture.scan()
    #expect(catalog.windows.map(\.timeline) == [TimelineID(1)])
    #expect(catalog.windows.first?.chosenByLatest == false)
    #expect(catalog.timelines.last?.parentContinuesPastFork == true)
    #expect(
      catalog.diagnostics.map { "\($0.severity) \($0.location?.file ?? ""): \($0.message)" } == [
        "warning \(folder): backup later: with 'timeline: latest' PostgreSQL would follow "
          + "timeline 2, which forked from timeline 1 at 0/21CD08, not on this backup's history "
          + "(its checkpoint is 0/F00060 on timeline 1); the restore would fail with \"requested "
          + "timeline 2 is not a child of this server's history\". Use 'timeline: current' (or 1)"
      ])
  }

  @Test func historyThatContradictsItsParentIsFlagged() throws {
    let fixture = try fixtureWithBackup()
    defer { fixture.remove() }
    try fixture.writeSegments(timeline: 1, 2...3)
    try fixture.writeHistory(timeline: 2, [(1, "0/480000", "a")])
    let three = try fixture.write(
      Array("1\t0/500000\tb\n2\t0/600000\tc\n".utf8), to: "\(fixture.wal)/00000003.history")
    let catalog = fixture.scan()
    let warning = try #require(catalog.diagnostics.first { $0.location == .file(three) })
    #expect(
      warning.message
        == "this history file does not fit the others: it disagrees with 00000002.history about "
        + "where earlier timelines forked, so the two do not come from the same history")
  }

  @Test func backupOfAnotherClusterIsAnError() throws {
    let fixture = try RepositoryFixture()
    defer { fixture.remove() }
    var backup = RepositoryFixture.Backup(id: "foreign")
    backup.systemIdentifier = 42
    let folder = try fixture.writeBackup(backup)
    try fixture.writeSegments(timeline: 1, 2...3)
    let catalog = fixture.scan()
    #expect(
      catalog.diagnostics.map { "\($0.severity) \($0.location?.file ?? ""): \($0.message)" } == [
        "error \(folder): backup foreign comes from another cluster: system identifier 42, while "
          + "the WAL archive's is \(RepositoryFixture.systemIdentifier)"
      ])
  }
}
