import Catalog
import Compiler
import Foundation
import PostgresVocabulary
import Testing
import _PITRTestSupport

/// `RepositorySVG`: the picture of `pitr catalog --format svg` and `pitr plan --format svg`.
@Suite struct RepositorySVGTests {
  /// Timeline 1 with a backup, restore points (one with characters XML must escape) and
  /// segment 3 missing; timeline 2 forks from it in segment 3 and has its own segments.
  private func forkedRepository() throws -> SyntheticRepository {
    let repository = try SyntheticRepository(
      events: [
        .commit(700), .restorePoint("before <delete> & 'co'"), .commit(701), .restorePoint("after"),
      ], missing: [3])
    try repository.fixture.writeHistory(timeline: 2, [(1, "0/300100", "before transaction 702")])
    try repository.fixture.writeSegments(timeline: 2, 3...5)
    return repository
  }

  private func picture(
    _ repository: SyntheticRepository, plan: CompiledPlan? = nil
  ) -> (String, Catalog) {
    let catalog = Catalog.scan(base: repository.base, wal: [repository.wal], cache: .disabled)
    let points = ArchivedRestorePoints(archive: catalog.archive, cache: .disabled).points
    return (RepositorySVG.render(catalog, restorePoints: points, plan: plan), catalog)
  }

  @Test func drawsALanePerTimelineAGapARestorePointMarkAndTheFork() throws {
    let repository = try forkedRepository()
    defer { repository.remove() }
    let (svg, catalog) = picture(repository)
    let document = try SVGDocument(svg)

    #expect(catalog.timelines.map(\.timeline) == [TimelineID(1), TimelineID(2)])
    #expect(document.elements(class: "lane").map { $0["data-timeline"] } == ["1", "2"])
    #expect(document.element(id: "timeline-1") != nil && document.element(id: "timeline-2") != nil)

    // The missing segment is a red rectangle in timeline 1's lane, named.
    let gaps = document.elements(class: "gap")
    #expect(gaps.map { $0["data-segment"] } == ["000000010000000000000003"])
    #expect(gaps.first?["fill"] == "#e53935")
    #expect(gaps.first?.ancestors.contains { $0["id"] == "timeline-1" } == true)
    #expect(gaps.first?.text.contains("missing from the archive: 000000010000000000000003") == true)

    // A mark per restore point, with its name escaped and read back intact.
    let marks = document.elements(class: "restore-point")
    #expect(marks.map { $0["data-name"] } == ["before <delete> & 'co'", "after"])
    #expect(marks.allSatisfy { $0["data-timeline"] == "1" })
    #expect(svg.contains("before &lt;delete&gt; &amp; &apos;co&apos;"))
    #expect(!svg.contains("<delete>"))

    // The fork: from timeline 1's lane to timeline 2's at the switch point.
    let forks = document.elements(class: "fork")
    #expect(
      forks.map { "\($0["data-parent"] ?? "") \($0["data-timeline"] ?? "") \($0["data-lsn"] ?? "")" } == [
        "1 2 0/300100"
      ])

    // The backup as a bar and its windows along both timelines.
    #expect(document.elements(class: "backup").map { $0["data-backup"] } == ["b1"])
    let windows = document.elements(class: "window").map { "\($0["data-timeline"] ?? "") \($0["data-status"] ?? "")" }
    #expect(windows == catalog.windows.map { "\($0.timeline) \($0.status.rawValue)" })
    #expect(document.elements(class: "plan-line").isEmpty)
  }

  @Test func theSamePictureTwiceIsTheSameBytesAndMatchesTheGoldenFile() throws {
    let repository = try forkedRepository()
    defer { repository.remove() }
    let (first, _) = picture(repository)
    let (second, _) = picture(repository)
    #expect(first == second)
    expectSnapshot(
      first.replacingOccurrences(of: repository.fixture.directory.path, with: "/REPOSITORY"),
      named: "repository-fork")
  }

  @Test func aPlanAddsItsTargetAndPredictedStopAsLinesAndMarksTheChosenBackup() throws {
    let repository = try SyntheticRepository(events: [.commit(700), .restorePoint("before_delete"), .commit(701)])
    defer { repository.remove() }
    let yaml = planText(base: repository.base, wal: repository.wal, target: "  name: before_delete")
    let compiled = try #require(compile(yaml, base: repository.base, wal: [repository.wal])?.compiled)
    let (svg, _) = picture(repository, plan: compiled)
    let document = try SVGDocument(svg)

    let lines = document.elements(class: "plan-line")
    #expect(lines.map { $0["id"] } == ["target", "stop"])
    let target = try #require(document.element(id: "target"))
    let stop = try #require(document.element(id: "stop"))
    #expect(target.text.contains("target: recovery_target_name = 'before_delete', timeline 1"))
    #expect(stop.text.contains("predicted stop: recovery stopping at restore point \"before_delete\""))
    #expect(stop.text.contains("(\(repository.lsn(1)))"))
    // Both at the restore point, where its mark is.
    let mark = try #require(document.elements(class: "restore-point").first)
    let markX = try #require(mark.children.first { $0.name == "line" }?["x1"])
    #expect(target.children.first { $0.name == "line" }?["x1"] == markX)
    #expect(stop.children.first { $0.name == "line" }?["x1"] == markX)
    #expect(document.elements(class: "backup chosen").map { $0["data-backup"] } == ["b1"])
    #expect(document.elements(class: "title").first?.text == "Restore plan 'test' over the backup repository")
  }

  @Test func unusableAndDamagedSegmentsAreRed() throws {
    let fixture = try RepositoryFixture()
    defer { fixture.remove() }
    try fixture.writeSegments(timeline: 1, 1...3)
    try fixture.writeSegment("000000010000000000000004", bytes: [UInt8](repeating: 1, count: 100))
    try fixture.writeSegments(timeline: 1, 5...5)
    let catalog = fixture.scan()
    let svg = RepositorySVG.render(catalog, restorePoints: [])
    let document = try SVGDocument(svg)
    let unusable = document.elements(class: "unusable")
    #expect(unusable.map { $0["data-segment"] } == ["000000010000000000000004"])
    #expect(unusable.first?["fill"] == "#b71c1c")
    #expect(document.elements(class: "restore-point").isEmpty)
  }

  @Test func oneMissingSegmentAmongHundredsStaysVisible() throws {
    let fixture = try RepositoryFixture()
    defer { fixture.remove() }
    try fixture.writeSegments(timeline: 1, 1...199)
    try fixture.writeSegments(timeline: 1, 201...400)
    let document = try SVGDocument(RepositorySVG.render(fixture.scan(), restorePoints: []))
    let gap = try #require(document.elements(class: "gap").first)
    #expect(gap["data-segment"] == "0000000100000000000000C8")
    // In proportion it would be 1020 / 400 pixels wide; it gets the minimum, 14.
    let width = try #require(gap["width"].flatMap(Double.init))
    #expect(width >= 14)
    let runs = document.elements(class: "wal").compactMap { $0["width"].flatMap(Double.init) }
    #expect(runs.count == 2 && runs.allSatisfy { $0 > 400 })
  }

  @Test func escapesEveryXMLSpecialCharacter() {
    #expect(RepositorySVG.escape("a<b>&\"c\"'d'\u{1}") == "a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;?")
  }

  @Test func anEmptyRepositoryIsStillAPicture() throws {
    let fixture = try RepositoryFixture()
    defer { fixture.remove() }
    let document = try SVGDocument(RepositorySVG.render(fixture.scan(), restorePoints: []))
    #expect(document.elements(class: "lane").isEmpty)
    #expect(document.elements(class: "empty").first?.text == "no timelines: the archive has no segments")
  }
}
