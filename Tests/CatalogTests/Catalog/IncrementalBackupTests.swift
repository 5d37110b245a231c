import Catalog
import Foundation
import PostgresVocabulary
import Testing
import _PITRTestSupport

/// Incremental backups (`pg_basebackup --incremental`, 17+): marked, linked to their parent
/// the way pg_combinebackup checks a chain, and never given a window of their own.
@Suite struct IncrementalBackupTests {
  /// b1 full at 0/200028; b2 incremental from b1, at 0/400028; b3 (plain) incremental from
  /// b2, at 0/600028; WAL segments 2 to 8 on timeline 1.
  private func chainFixture() throws -> RepositoryFixture {
    let fixture = try RepositoryFixture()
    try fixture.writeSegments(timeline: 1, 2...8)
    try fixture.writeBackup(.init(id: "b1"))
    var b2 = RepositoryFixture.Backup(id: "b2", start: "0/400028", checkpoint: "0/400060")
    b2.incrementalFrom = ("0/200028", 1)
    try fixture.writeBackup(b2)
    var b3 = RepositoryFixture.Backup(
      id: "b3", start: "0/600028", checkpoint: "0/600060", format: .plain)
    b3.incrementalFrom = ("0/400028", 1)
    try fixture.writeBackup(b3)
    return fixture
  }

  @Test func incrementalBackupsAreMarkedAndLinkedToTheirParents() throws {
    let fixture = try chainFixture()
    defer { fixture.remove() }
    let catalog = fixture.scan()
    #expect(catalog.diagnostics.isEmpty, "\(catalog.diagnostics)")
    #expect(catalog.backups.map(\.id) == ["b1", "b2", "b3"])
    #expect(catalog.backups[0].incremental == nil)
    #expect(
      catalog.backups[1].incremental
        == BaseBackup.Incremental(
          fromLSN: LSN("0/200028")!, fromTimeline: TimelineID(1), incrementalFiles: 1, parent: "b1"))
    #expect(
      catalog.backups[2].incremental
        == BaseBackup.Incremental(
          fromLSN: LSN("0/400028")!, fromTimeline: TimelineID(1), incrementalFiles: 1, parent: "b2"))
    // A complete chain restores combined, as its last backup would: each has windows.
    #expect(Set(catalog.windows.map(\.backupID)) == ["b1", "b2", "b3"])
    let chain = catalog.chain(of: catalog.backups[2])
    #expect(chain.backups.map(\.id) == ["b1", "b2", "b3"])
    #expect(chain.complete)
    #expect(catalog.incrementalProblem(of: catalog.backups[0]) == nil)
    #expect(catalog.incrementalProblem(of: catalog.backups[2]) == nil)
  }

  @Test func aCachedIncrementalBackupIsStillIncremental() throws {
    let fixture = try chainFixture()
    defer { fixture.remove() }
    let directory = fixture.directory.file("cache")
    _ = Catalog.scan(
      base: fixture.base, wal: [fixture.wal],
      cache: CatalogCache(directory: directory, folders: [fixture.base, fixture.wal]))
    let cache = CatalogCache(directory: directory, folders: [fixture.base, fixture.wal])
    let catalog = Catalog.scan(base: fixture.base, wal: [fixture.wal], cache: cache)
    #expect(cache.hits > 0)
    #expect(catalog.backups.map { $0.incremental?.parent } == [nil, "b1", "b2"])
  }

  @Test func aMissingParentIsAWarningAndTheChainIsIncomplete() throws {
    let fixture = try RepositoryFixture()
    defer { fixture.remove() }
    try fixture.writeSegments(timeline: 1, 2...6)
    var b2 = RepositoryFixture.Backup(id: "b2", start: "0/400028", checkpoint: "0/400060")
    b2.incrementalFrom = ("0/200028", 1)
    try fixture.writeBackup(b2)
    let catalog = fixture.scan()
    #expect(catalog.backups[0].incremental?.parent == nil)
    #expect(
      catalog.diagnostics.map(\.message) == [
        "backup b2 is incremental from 0/200028 on timeline 1, and no backup of its cluster in "
          + "this folder starts there: its chain to a full backup is incomplete"
      ])
    #expect(catalog.diagnostics.map(\.severity) == [.warning])
    #expect(catalog.windows.isEmpty)
    #expect(
      catalog.incrementalProblem(of: catalog.backups[0])
        == "an incremental backup (INCREMENTAL FROM LSN 0/200028 on timeline 1) whose chain is "
        + "broken: the backup b2 builds on is missing, no backup of its cluster in \(fixture.base) "
        + "starts at 0/200028 on timeline 1")
  }

  @Test func aParentMustBeOfTheSameClusterAndTimeline() throws {
    let fixture = try RepositoryFixture()
    defer { fixture.remove() }
    try fixture.writeSegments(timeline: 1, 2...6)
    // Same start, but another cluster: pg_combinebackup refuses such a chain.
    try fixture.writeBackup(.init(id: "other", systemIdentifier: 42))
    var b2 = RepositoryFixture.Backup(id: "b2", start: "0/400028", checkpoint: "0/400060")
    b2.incrementalFrom = ("0/200028", 1)
    var b3 = RepositoryFixture.Backup(id: "b3", start: "0/500028", checkpoint: "0/500060")
    b3.incrementalFrom = ("0/400028", 2)  // b2 starts on timeline 1, not 2
    try fixture.writeBackup(b2)
    try fixture.writeBackup(b3)
    let catalog = fixture.scan()
    #expect(catalog.backups.map { $0.incremental?.parent } == [nil, nil, nil])
    #expect(
      catalog.diagnostics.filter { $0.message.contains("incremental") }.count == 2,
      "\(catalog.diagnostics)")
  }

  @Test func theJSONCatalogSaysWhichBackupIsIncremental() throws {
    let fixture = try chainFixture()
    defer { fixture.remove() }
    let data = try JSONEncoder().encode(fixture.scan())
    let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    let backups = try #require(object["backups"] as? [[String: Any]])
    #expect(backups[0]["incremental"] == nil)
    let incremental = try #require(backups[2]["incremental"] as? [String: Any])
    #expect(incremental["fromLSN"] as? String == "0/400028")
    #expect(incremental["fromTimeline"] as? Int == 1)
    #expect(incremental["incrementalFiles"] as? Int == 1)
    #expect(incremental["parent"] as? String == "b2")
  }
}
