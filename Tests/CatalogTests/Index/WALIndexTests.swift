import Catalog
import Foundation
import PostgresVocabulary
import Testing
import WAL
import _PITRTestSupport

/// The WAL index's answers on the seed 001 lab, checked against what the lab measured.
@Suite(.tags(.integration), .enabled(if: PostgresLab.isAvailable))
struct WALIndexTests {
  @Test func answersTheQuestionsRecoveryTargetsAsk() throws {
    let lab = try PostgresLab(name: "wal-index", archive: .gzipDated)
    defer { lab.remove() }
    let scenario = try InventariosScenario.run(in: lab)
    let cacheDirectory = lab.directory.file("cache")
    let (archive, _) = Catalog.scanArchive(
      wal: [lab.archiveDirectory], cache: CatalogCache(directory: cacheDirectory, folders: ["x"]))
    let index = WALIndex(
      archive: archive, cache: CatalogCache(directory: cacheDirectory, folders: ["x"]))
    let start = try #require(archive.segments.first?.header.pageAddress)
    let timeline = TimelineID(1)
    let insertTime = PostgresTimestamp(microsecondsSince2000: scenario.insertCommitTimestamp)
    let deleteTime = PostgresTimestamp(microsecondsSince2000: scenario.deleteCommitTimestamp)

    // Recovery to a time stops before the first commit later than it.
    let afterInsert = PostgresTimestamp(microsecondsSince2000: insertTime.microsecondsSince2000 - 1)
    #expect(
      index.firstTransactionEnd(after: afterInsert, from: start, along: timeline)?.transactionID == scenario.insertXid)
    #expect(
      index.firstTransactionEnd(after: insertTime, from: start, along: timeline)?.transactionID != scenario.insertXid)
    // inclusive: false stops before the first commit at or after the time.
    #expect(
      index.firstTransactionEnd(after: deleteTime, inclusive: false, from: start, along: timeline)?
        .transactionID == scenario.deleteXid)
    #expect(index.firstTransactionEnd(after: deleteTime, from: start, along: timeline) == nil)

    let points = index.restorePoints(named: "test_pirt", from: start, along: timeline)
    #expect(points.count == 1)
    #expect(points.first.map { $0.lsn < LSN(scenario.restorePointLSN)! } == true)
    #expect(index.restorePoints(named: "nope", from: start, along: timeline).isEmpty)

    let delete = try #require(index.transactionEnd(of: scenario.deleteXid, from: start, along: timeline))
    #expect(delete.outcome == .commit)
    #expect(delete.time == deleteTime)
    #expect(delete.lsn < LSN(scenario.deleteLSN)!)
    #expect(index.transactionEnd(of: 4_000_000_000, from: start, along: timeline) == nil)

    let last = try #require(index.lastTransactionEnd(before: LSN(scenario.secondSwitchLSN)!, along: timeline))
    #expect(last.transactionID == scenario.deleteXid)

    // Every segment's summary agrees with the lab: commits counted, restore point placed.
    let summaries = archive.segments.compactMap { index.summary(of: $0.name) }
    #expect(summaries.map(\.restorePoints.count).reduce(0, +) == 1)
    #expect(summaries.contains { $0.last?.transactionID == scenario.deleteXid })
  }
}
