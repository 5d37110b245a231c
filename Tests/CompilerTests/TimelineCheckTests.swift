import Catalog
import Compiler
import PlanModel
import PostgresVocabulary
import Testing
import _PITRTestSupport

@Suite struct TimelineCheckTests {
  private func plan(_ repository: SyntheticRepository, timeline: String) -> MarkedText {
    MarkedText(
      """
      version: 1
      backups:
        base: \(repository.base)
        wal: \(repository.wal)
      target:
        1️⃣latest: true
        timeline: \(timeline)
      destination:
        data_directory: /srv/data
        port: 5599
        os_user: postgres
      action: promote

      """)
  }

  private func firstError(_ marked: MarkedText, _ repository: SyntheticRepository) -> Diagnostic? {
    compile(marked.text, base: repository.base, wal: [repository.wal])?.diagnostics.first { $0.severity == .error }
  }

  @Test func numberedTimelineNeedsItsHistoryFile() throws {
    let repository = try SyntheticRepository(events: [.commit(700)])
    defer { repository.remove() }
    let marked = plan(repository, timeline: "3")
    let error = try #require(firstError(marked, repository))
    #expect(error.location == marked.location("1️⃣", file: "plans/test.yaml"))
    #expect(
      error.message
        == "timeline 3 has no history file (00000003.history) in the archive: PostgreSQL would "
        + "fail with \"recovery target timeline 3 does not exist\"; use 'timeline: current' or 1")
  }

  /// Timeline 2's segments are archived, its 00000002.history is not (a restore promoted with
  /// archiving off, archiving turned on later).
  private func orphanTimeline() throws -> SyntheticRepository {
    let repository = try SyntheticRepository(events: [.commit(700)])
    try repository.fixture.writeSegments(timeline: 2, 5...6, gzip: true)
    return repository
  }

  @Test func aTimelineWithSegmentsButNoHistoryNamesTheFileAndWhatToCopyWhere() throws {
    let repository = try orphanTimeline()
    defer { repository.remove() }
    let marked = plan(repository, timeline: "2")
    let error = try #require(firstError(marked, repository))
    #expect(error.location == marked.location("1️⃣", file: "plans/test.yaml"))
    // Only timeline 1 is offered: 2 is the one that cannot be used.
    #expect(
      error.message
        == "timeline 2 has 2 segments in the archive but no history file 00000002.history, so "
        + "pitr cannot tell where it forked, and PostgreSQL would fail with \"recovery target "
        + "timeline 2 does not exist\". PostgreSQL wrote 00000002.history into the pg_wal/ "
        + "folder of the server that promoted to timeline 2, when it promoted, and archiving was "
        + "off or failed then; copy pg_wal/00000002.history from that server's data directory to "
        + "\(repository.wal)/00000002.history.gz (gzip-compressed, like the segments there); or "
        + "use 'timeline: current' or 1")
  }

  @Test func latestIsRefusedWhenANewerTimelineHasNoHistory() throws {
    let repository = try orphanTimeline()
    defer { repository.remove() }
    let error = try #require(firstError(plan(repository, timeline: "latest"), repository))
    #expect(
      error.message
        == "with 'timeline: latest' PostgreSQL would stay on timeline 1, though the archive has "
        + "2 segments of timeline 2: its history file 00000002.history is not in the archive, so "
        + "neither PostgreSQL nor pitr can tell where it forked. PostgreSQL wrote "
        + "00000002.history into the pg_wal/ folder of the server that promoted to timeline 2, "
        + "when it promoted, and archiving was off or failed then; copy pg_wal/00000002.history "
        + "from that server's data directory to \(repository.wal)/00000002.history.gz "
        + "(gzip-compressed, like the segments there); or, to restore timeline 1 on purpose, use "
        + "'timeline: current'")
    #expect(
      compile(plan(repository, timeline: "current").text, base: repository.base, wal: [repository.wal])?
        .compiled != nil)
  }

  @Test func theMissingHistoryFileFoundInTheDestinationIsNamed() throws {
    // The plan's destination is the server that promoted (pg_wal/00000002.history is there).
    let repository = try orphanTimeline()
    defer { repository.remove() }
    var environment = FixedEnvironment()
    environment.directories["/srv/data/pg_wal/00000002.history"] = .file
    let compilation = compile(
      plan(repository, timeline: "2").text, base: repository.base, wal: [repository.wal],
      environment: environment)
    let error = try #require(compilation?.diagnostics.first { $0.severity == .error })
    #expect(
      error.message.contains(
        "PostgreSQL wrote 00000002.history into /srv/data/pg_wal/00000002.history when it promoted "
          + "to timeline 2, and archiving was off or failed then; copy "
          + "/srv/data/pg_wal/00000002.history to \(repository.wal)/00000002.history.gz "
          + "(gzip-compressed, like the segments there); or use 'timeline: current' or 1"),
      "\(error.message)")
  }

  @Test func theCatalogWarnsOfTheMissingHistoryFile() throws {
    let repository = try orphanTimeline()
    defer { repository.remove() }
    let catalog = Catalog.scan(base: repository.base, wal: [repository.wal], cache: .disabled)
    let timeline2 = try #require(catalog.timelines.first { $0.timeline == TimelineID(2) })
    #expect(timeline2.parent == nil)
    #expect(timeline2.missingHistory?.fileName == "00000002.history")
    #expect(timeline2.missingHistory?.archivedName == "00000002.history.gz")
    #expect(timeline2.missingHistory?.folder == repository.wal)
    #expect(catalog.timelines.first { $0.timeline == TimelineID(1) }?.missingHistory == nil)
    let warnings = catalog.diagnostics.filter { $0.severity == .warning && $0.location == .file(repository.wal) }
    #expect(
      warnings.map(\.message) == [
        "timeline 2 has 2 segments in the archive but no history file 00000002.history, so pitr "
          + "cannot tell which timeline it forked from or where, and no restore can follow it; "
          + "PostgreSQL wrote 00000002.history into the pg_wal/ folder of the server that "
          + "promoted to timeline 2, when it promoted, and archiving was off or failed then; copy "
          + "pg_wal/00000002.history from that server's data directory to "
          + "\(repository.wal)/00000002.history.gz (gzip-compressed, like the segments there)"
      ])
  }

  @Test func strayHistoryFileBreaksLatestAndSaysSo() throws {
    // The backup's checkpoint (0/200060) is after timeline 2 forked (0/100000).
    let repository = try SyntheticRepository(events: [.commit(700)])
    defer { repository.remove() }
    try repository.fixture.writeHistory(timeline: 2, [(1, "0/100000", "no recovery target specified")])
    let error = try #require(firstError(plan(repository, timeline: "latest"), repository))
    #expect(
      error.message
        == "with 'timeline: latest' PostgreSQL would follow timeline 2, which forked from timeline "
        + "1 at 0/100000, not on this backup's history (its checkpoint is 0/200060 on timeline 1); "
        + "the restore would fail with \"requested timeline 2 is not a child of this server's "
        + "history\". Use 'timeline: current' (or 1)")
    let notChild = try #require(firstError(plan(repository, timeline: "2"), repository))
    #expect(
      notChild.message
        == "timeline 2 does not descend from backup b1 (checkpoint 0/200060 on timeline 1): "
        + "PostgreSQL would fail with \"requested timeline 2 is not a child of this server's "
        + "history\"; use 'timeline: current'")
    #expect(
      compile(plan(repository, timeline: "current").text, base: repository.base, wal: [repository.wal])?.compiled != nil
    )
  }
}
