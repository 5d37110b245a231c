import Catalog
import Foundation
import PlanModel
import PostgresVocabulary
import Testing
import _PITRTestSupport

@Suite struct WALArchiveScanTests {
  /// The catalog's diagnostics about the archive (these fixtures have no base backups).
  private func archiveDiagnostics(_ catalog: Catalog, _ fixture: RepositoryFixture) -> [Diagnostic] {
    catalog.diagnostics.filter { $0.location != .file(fixture.base) }
  }

  private func names(_ segments: [ArchivedSegment]) -> [String] { segments.map(\.name.description) }

  @Test func segmentsAtAnyDepthWithGapsPerTimeline() throws {
    let fixture = try RepositoryFixture()
    defer { fixture.remove() }
    try fixture.writeSegment("000000010000000000000001", folder: "2025-07-01", gzip: true)
    try fixture.writeSegment("000000010000000000000002", folder: "2025-07-01")
    try fixture.writeSegment("000000010000000000000003", folder: "2025-07-02", gzip: true)
    try fixture.writeSegment("000000010000000000000006", folder: "2025-07-03/late", gzip: true)
    try fixture.writeSegment("000000020000000000000006", gzip: true)
    let archive = fixture.scan().archive
    #expect(archive.segmentSize == RepositoryFixture.segmentSize)
    #expect(archive.majorVersion == 15)
    #expect(archive.systemIdentifier == RepositoryFixture.systemIdentifier)
    #expect(
      names(archive.segments) == [
        "000000010000000000000001", "000000010000000000000002", "000000010000000000000003",
        "000000010000000000000006", "000000020000000000000006",
      ])
    let first = try #require(archive.timelines.first)
    #expect(first.timeline == TimelineID(1))
    #expect(first.count == 4)
    #expect(
      first.ranges.map { "\($0.first)..\($0.last)" } == [
        "000000010000000000000001..000000010000000000000003",
        "000000010000000000000006..000000010000000000000006",
      ])
    #expect(
      first.gaps.map { "\($0.first)..\($0.last)/\($0.count)" } == [
        "000000010000000000000004..000000010000000000000005/2"
      ])
    #expect(archive.timelines.map(\.timeline) == [TimelineID(1), TimelineID(2)])
  }

  @Test func compressionIsToldByMagicNotSuffix() throws {
    let fixture = try RepositoryFixture()
    defer { fixture.remove() }
    // Plain bytes under a .gz name, gzip'd bytes under a plain name.
    try fixture.writeSegment(
      "000000010000000000000001", fileName: "000000010000000000000001.gz",
      bytes: RepositoryFixture.segmentBytes("000000010000000000000001"))
    try fixture.writeSegment(
      "000000010000000000000002", fileName: "000000010000000000000002",
      bytes: try gzipped(RepositoryFixture.segmentBytes("000000010000000000000002")))
    let catalog = fixture.scan()
    #expect(catalog.archive.segments.map(\.compression) == ["none", "gzip"])
    #expect(archiveDiagnostics(catalog, fixture).isEmpty, "\(catalog.diagnostics.map(\.message))")
  }

  @Test func identicalDuplicateIsANoteDifferentOneAnError() throws {
    let fixture = try RepositoryFixture()
    defer { fixture.remove() }
    let first = try fixture.writeSegment("000000010000000000000001", folder: "a", gzip: true)
    let same = try fixture.writeSegment("000000010000000000000001", folder: "b")
    let second = try fixture.writeSegment("000000010000000000000002", folder: "a")
    var changed = RepositoryFixture.segmentBytes("000000010000000000000002")
    changed[5000] = 1
    let other = try fixture.writeSegment("000000010000000000000002", folder: "c", bytes: changed)
    let catalog = fixture.scan()
    #expect(catalog.archive.segments.count == 2)
    #expect(
      archiveDiagnostics(catalog, fixture).map {
        "\($0.severity) \($0.location?.file ?? ""): \($0.message)"
      } == [
        "note \(same): segment 000000010000000000000001 is archived twice with the same content; "
          + "using \(first)",
        "error \(other): segment 000000010000000000000002 is archived twice with different "
          + "content: \(second) and \(other); keep the right one (the other may come from another "
          + "server or a failed archive_command)",
      ])
  }

  @Test func filesNamedLikeSegmentsThatAreNot() throws {
    let fixture = try RepositoryFixture()
    defer { fixture.remove() }
    try fixture.writeSegment("000000010000000000000001", gzip: true)
    // Renamed: holds segment 1 under the name of segment 3.
    let renamed = try fixture.writeSegment(
      "000000010000000000000003", bytes: RepositoryFixture.segmentBytes("000000010000000000000001"))
    let short = try fixture.writeSegment(
      "000000010000000000000004", bytes: RepositoryFixture.segmentBytes("000000010000000000000004", size: 512))
    let notWAL = try fixture.write(Array("hello, world".utf8), to: "\(fixture.wal)/000000010000000000000005")
    let lowercase = try fixture.write([], to: "\(fixture.wal)/00000001000000000000000a")
    let foreign = try fixture.writeSegment(
      "000000010000000000000006",
      bytes: RepositoryFixture.segmentBytes("000000010000000000000006", systemIdentifier: 42))
    let unknownMagic = try fixture.writeSegment(
      "000000010000000000000007",
      bytes: RepositoryFixture.segmentBytes("000000010000000000000007", magic: 0xD120))
    let corruptGzip = try fixture.write(
      Array(try gzipped(RepositoryFixture.segmentBytes("000000010000000000000008")).prefix(30)),
      to: "\(fixture.wal)/000000010000000000000008.gz")
    let catalog = fixture.scan()
    #expect(catalog.archive.segments.map(\.name.description) == ["000000010000000000000001"])
    let messages = Dictionary(
      catalog.diagnostics.map { ($0.location?.file ?? "", "\($0.severity): \($0.message)") },
      uniquingKeysWith: { $0 + " | " + $1 })
    #expect(
      messages[renamed]
        == "error: named segment 000000010000000000000003 (which starts at 0/300000), but its "
        + "first page is at 0/100000: it is another segment renamed")
    #expect(
      messages[short]
        == "error: 512 bytes, but segments are 1 MiB (PostgreSQL refuses an archived segment of "
        + "the wrong size)")
    #expect(
      messages[notWAL]
        == "error: named like a WAL segment, but it does not start with a WAL segment header "
        + "(too short, or not WAL)")
    #expect(
      messages[lowercase]
        == "warning: '00000001000000000000000a' looks like a WAL file name but is not one "
        + "PostgreSQL uses (24 uppercase hex digits, then .gz, .partial, .history or .backup); "
        + "it is ignored")
    #expect(
      messages[foreign]
        == "error: comes from another cluster: system identifier 42, while the archive's is "
        + "\(RepositoryFixture.systemIdentifier)")
    #expect(
      messages[unknownMagic]
        == "error: unknown WAL page magic 0xD120: not written by a PostgreSQL version pitr reads "
        + "(13 to 19)")
    #expect(messages[corruptGzip]?.hasPrefix("error: named like a WAL segment, but gzip") == true)
  }

  @Test func partialSegmentsAreListedButNotUsed() throws {
    let fixture = try RepositoryFixture()
    defer { fixture.remove() }
    try fixture.writeSegment("000000010000000000000001", gzip: true)
    try fixture.writeSegment(
      "000000010000000000000002", fileName: "000000010000000000000002.partial")
    let archive = fixture.scan().archive
    #expect(archive.segments.map(\.name.description) == ["000000010000000000000001"])
    #expect(archive.partialSegments.map(\.name.description) == ["000000010000000000000002"])
  }

  @Test func garbageHistoryFileIsReported() throws {
    let fixture = try RepositoryFixture()
    defer { fixture.remove() }
    let path = try fixture.write(Array("this is not a history\n".utf8), to: "\(fixture.wal)/00000002.history")
    let catalog = fixture.scan()
    #expect(catalog.archive.historyFiles.isEmpty)
    let diagnostic = try #require(archiveDiagnostics(catalog, fixture).first)
    #expect(diagnostic.location == .file(path))
    #expect(diagnostic.message.hasPrefix("00000002.history"))
  }

  @Test func missingFolderIsReportedAndTheRestScanned() throws {
    let fixture = try RepositoryFixture()
    defer { fixture.remove() }
    try fixture.writeSegment("000000010000000000000001", gzip: true)
    let missing = fixture.directory.file("no-such-archive")
    let catalog = Catalog.scan(base: fixture.base, wal: [missing, fixture.wal], cache: .disabled)
    let problem = try #require(catalog.diagnostics.first { $0.location == .file(missing) })
    #expect(problem.message == "cannot read this folder: No such file or directory")
    #expect(catalog.archive.segments.first?.name.description == "000000010000000000000001")
  }
}

func gzipped(_ bytes: [UInt8]) throws -> [UInt8] {
  try _PITRTestSupport.gzip(bytes)
}
