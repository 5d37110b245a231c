import PostgresVocabulary
import Testing
import WAL
import _PITRTestSupport

/// XACT records decoded from synthetic WAL of every version (FORMATS.md §4.4).
@Suite struct WALReaderTransactionTests {
  static let versions = Array(13...19)
  static let origin = WALTransactionEndSpec.Origin(
    id: 3, lsn: LSN(rawValue: 0x5_0000_1234), time: PostgresTimestamp(microsecondsSince2000: 99))
  static let stats = [
    WALTransactionEndSpec.DroppedStats(kind: 1, database: 16_384, object: 0x1_0000_4001),
    WALTransactionEndSpec.DroppedStats(kind: 2, database: 0, object: 1262),
  ]

  /// Builds one segment holding `records` and reads it back.
  static func read(major: Int, _ records: [WALRecordSpec]) throws -> WALReadOutcome {
    var wal = WALSegmentBuilder(major: major)
    for record in records { wal.append(record) }
    let outcome = try WALReadOutcome.read(wal)
    #expect(outcome.lsns == wal.records.map(\.lsn))
    #expect(outcome.records.map(\.nextLSN) == wal.records.map(\.end))
    #expect(outcome.end.reason == .zeroLength)
    #expect(outcome.end.lsn == wal.insertLSN)
    return outcome
  }

  @Test(arguments: versions)
  func commitWithEveryPart(major: Int) throws {
    let parts = WALTransactionEndSpec(
      time: sampleTime, databaseInfo: (16_384, 1663), subtransactions: [801, 802, 803],
      droppedRelations: [
        sampleRelation, RelationFileLocator(tablespace: 1663, database: 5, relation: 9),
      ],
      droppedStats: Self.stats, invalidations: 3, origin: Self.origin,
      otherFlags: 0x40 | 1 << 31)
    let outcome = try Self.read(major: major, [.commit(xid: 800, parts)])
    let record = try #require(outcome.records.first)
    #expect(record.resourceManager == 1)
    #expect(record.info == 0x81)
    #expect(record.transactionID == 800)
    #expect(record.timeline == TimelineID(1))
    let end = try #require(record.event?.transactionEnd)
    #expect(end.outcome == .commit)
    #expect(end.prepared == false)
    #expect(end.transactionID == 800)
    #expect(end.time == sampleTime)
    #expect(end.subtransactions == [801, 802, 803])
    #expect(end.globalIdentifier == nil)
  }

  @Test(arguments: versions)
  func commitWithoutXinfoIsJustATime(major: Int) throws {
    let outcome = try Self.read(
      major: major, [.commit(xid: 725, WALTransactionEndSpec(time: sampleTime))])
    let record = try #require(outcome.records.first)
    #expect(record.info == 0x00)
    #expect(record.length == 34)
    let end = try #require(record.event?.transactionEnd)
    #expect(end.transactionID == 725)
    #expect(end.time == sampleTime)
    #expect(end.subtransactions.isEmpty)
  }

  @Test(arguments: versions)
  func abortWithSubtransactionsRelationsAndStats(major: Int) throws {
    let parts = WALTransactionEndSpec(
      time: sampleTime, subtransactions: [901], droppedRelations: [sampleRelation],
      droppedStats: Self.stats, invalidations: 4, origin: Self.origin)
    let outcome = try Self.read(major: major, [.abort(xid: 900, parts)])
    let record = try #require(outcome.records.first)
    #expect(record.info == 0xA1)
    let end = try #require(record.event?.transactionEnd)
    #expect(end.outcome == .abort)
    #expect(end.prepared == false)
    #expect(end.transactionID == 900)
    #expect(end.time == sampleTime)
    #expect(end.subtransactions == [901])
  }

  @Test func subtransactionRollbackReportsTheSubxid() throws {
    let time = PostgresTimestamp(microsecondsSince2000: sampleTime.microsecondsSince2000 - 5)
    let outcome = try Self.read(
      major: 15,
      [
        .abort(xid: 736, WALTransactionEndSpec(time: time)),
        .commit(xid: 734, WALTransactionEndSpec(time: sampleTime, subtransactions: [735])),
      ])
    let ends = outcome.events.compactMap { $0?.transactionEnd }
    #expect(ends.map(\.transactionID) == [736, 734])
    #expect(ends.map(\.outcome) == [.abort, .commit])
    #expect(ends.map(\.time) == [time, sampleTime])
  }

  @Test(arguments: versions)
  func commitPreparedWithStatsGIDAndOrigin(major: Int) throws {
    // The GID follows the dropped stats: a wrong stats item size (12 vs 16 in 18) misreads it.
    let parts = WALTransactionEndSpec(
      time: sampleTime, databaseInfo: (16_384, 1663), subtransactions: [1001],
      droppedRelations: [sampleRelation], droppedStats: Self.stats, invalidations: 1,
      twoPhaseTransactionID: 1000, globalIdentifier: "gx1", origin: Self.origin)
    let outcome = try Self.read(major: major, [.commitPrepared(parts)])
    let record = try #require(outcome.records.first)
    #expect(record.transactionID == 0)
    #expect(record.info == 0xB1)
    let end = try #require(record.event?.transactionEnd)
    #expect(end.outcome == .commit)
    #expect(end.prepared)
    #expect(end.transactionID == 1000)
    #expect(end.time == sampleTime)
    #expect(end.subtransactions == [1001])
    #expect(end.globalIdentifier == "gx1")
  }

  @Test(arguments: versions)
  func abortPreparedWithoutGID(major: Int) throws {
    let parts = WALTransactionEndSpec(
      time: sampleTime, droppedStats: Self.stats, twoPhaseTransactionID: 1100)
    let outcome = try Self.read(major: major, [.abortPrepared(parts)])
    let end = try #require(outcome.records.first?.event?.transactionEnd)
    #expect(end.outcome == .abort)
    #expect(end.prepared)
    #expect(end.transactionID == 1100)
    #expect(end.globalIdentifier == nil)
    #expect(end.time == sampleTime)
  }

  @Test(arguments: versions)
  func prepareHeaderAndGID(major: Int) throws {
    let prepare = WALRecordSpec.prepare(
      xid: 1200, time: sampleTime, globalIdentifier: "transfer-2026-11-22",
      subtransactions: [1201, 1202], commitRelations: [sampleRelation],
      abortRelations: [sampleRelation], commitStats: Self.stats, abortStats: [Self.stats[0]],
      invalidations: 2, origin: Self.origin)
    let outcome = try Self.read(major: major, [prepare])
    let record = try #require(outcome.records.first)
    #expect(record.transactionID == 1200)
    #expect(record.info == 0x10)
    // The GID sits right after the header: 64 bytes up to 14, 72 from 15.
    let headerSize = major >= 15 ? 72 : 64
    let mainStart = record.bytes[24] == 255 ? 26 : 29  // no blocks: the data header is first
    let gid = record.bytes[(mainStart + headerSize)...].prefix(18)
    #expect(String(decoding: gid, as: UTF8.self) == "transfer-2026-11-22".prefix(18))
    let decoded = try #require(record.event?.prepare)
    #expect(decoded.transactionID == 1200)
    #expect(decoded.time == sampleTime)
    #expect(decoded.globalIdentifier == "transfer-2026-11-22")
    // A PREPARE ends nothing.
    #expect(record.event?.transactionEnd == nil)
  }
}
