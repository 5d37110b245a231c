import Testing
import WAL
import _PITRTestSupport

/// HEAP and HEAP2 row changes decoded from synthetic WAL (FORMATS.md §4.5), with full-page
/// images in each version's `bimg_info` numbering (§3.3).
@Suite struct WALReaderHeapTests {
  static let versions = Array(13...19)
  static let other = RelationFileLocator(tablespace: 1663, database: 16_384, relation: 24_601)

  static func changes(major: Int, _ records: [WALRecordSpec]) throws -> [WALEvent.RowChange] {
    var wal = WALSegmentBuilder(major: major)
    for record in records { wal.append(record) }
    let outcome = try WALReadOutcome.read(wal)
    #expect(outcome.lsns == wal.records.map(\.lsn))
    #expect(outcome.end.reason == .zeroLength)
    let changes = outcome.events.compactMap { $0?.rowChange }
    #expect(changes.count == records.count)
    return changes
  }

  /// The images a version can write: with and without a hole, plain and compressed.
  static func images(major: Int) -> [WALBlockImage] {
    var images: [WALBlockImage] = [
      .page(), .page(holeOffset: 200, holeLength: 4_000),
      .page(holeOffset: 64, holeLength: 8_000, apply: false),
      .compressed(.pglz, length: 1_500, holeOffset: 300, holeLength: 2_000),
      .compressed(.pglz, length: 900),
    ]
    if major >= 15 {
      images += [
        .compressed(.lz4, length: 1_200, holeOffset: 100, holeLength: 3_000),
        .compressed(.zstd, length: 700, holeOffset: 100, holeLength: 3_000),
        .compressed(.zstd, length: 333),
      ]
    }
    return images
  }

  @Test(arguments: versions)
  func insertWithAndWithoutImages(major: Int) throws {
    var records: [WALRecordSpec] = [
      .heapInsert(xid: 740, relation: sampleRelation, block: 7, offset: 3)
    ]
    for (index, image) in Self.images(major: major).enumerated() {
      records.append(
        .heapInsert(
          xid: 741, relation: Self.other, block: UInt32(100 + index), offset: 1, image: image))
    }
    let changes = try Self.changes(major: major, records)
    #expect(changes.allSatisfy { $0.kind == .insert && $0.rows == 1 && !$0.hot })
    #expect(changes.first?.relation == sampleRelation)
    #expect(changes.first?.block == 7)
    #expect(
      changes.dropFirst().map(\.relation) == Array(repeating: Self.other, count: records.count - 1))
    #expect(changes.dropFirst().map(\.block) == (0..<records.count - 1).map { UInt32(100 + $0) })
  }

  @Test(arguments: versions)
  func deleteUpdateAndHotUpdate(major: Int) throws {
    let changes = try Self.changes(
      major: major,
      [
        .heapDelete(xid: 750, relation: sampleRelation, block: 12, offset: 4),
        .heapDelete(
          xid: 750, relation: sampleRelation, block: 13, offset: 4,
          image: .page(holeOffset: 40, holeLength: 7_000)),
        .heapUpdate(
          xid: 751, hot: false, relation: sampleRelation, newBlock: 20, newOffset: 1,
          oldBlock: 19, oldOffset: 9),
        .heapUpdate(
          xid: 751, hot: false, relation: sampleRelation, newBlock: 21, newOffset: 2,
          oldBlock: 18, oldOffset: 9,
          image: .compressed(.pglz, length: 600, holeOffset: 50, holeLength: 100)),
        .heapUpdate(
          xid: 752, hot: true, relation: Self.other, newBlock: 5, newOffset: 8, oldOffset: 7,
          flags: 0x20),
      ])
    #expect(changes.map(\.kind) == [.delete, .delete, .update, .update, .update])
    #expect(changes.map(\.hot) == [false, false, false, false, true])
    #expect(changes.map(\.block) == [12, 13, 20, 21, 5])
    #expect(
      changes.map(\.relation)
        == [sampleRelation, sampleRelation, sampleRelation, sampleRelation, Self.other])
    #expect(changes.allSatisfy { $0.rows == 1 && $0.truncatedTables.isEmpty })
  }

  @Test(arguments: versions)
  func truncateListsTableOIDs(major: Int) throws {
    let changes = try Self.changes(
      major: major,
      [
        .heapTruncate(xid: 760, database: 16_384, tables: [16_411, 16_420, 16_433], flags: 0x03),
        .heapTruncate(xid: 761, database: 5, tables: []),
      ])
    #expect(changes.map(\.kind) == [.truncate, .truncate])
    #expect(changes.map(\.truncatedTables) == [[16_411, 16_420, 16_433], []])
    #expect(changes.map(\.database) == [16_384, 5])
    #expect(changes.map(\.rows) == [0, 0])
    #expect(changes.allSatisfy { $0.relation == nil && $0.block == nil })
  }

  @Test(arguments: versions)
  func multiInsertCountsRows(major: Int) throws {
    let changes = try Self.changes(
      major: major,
      [
        .heapMultiInsert(xid: 770, relation: sampleRelation, block: 30, rows: 61),
        .heapMultiInsert(xid: 770, relation: sampleRelation, block: 31, rows: 5, initPage: true),
        .heapMultiInsert(xid: 770, relation: Self.other, block: 0, rows: 1),
      ])
    #expect(changes.map(\.kind) == [.insert, .insert, .insert])
    #expect(changes.map(\.rows) == [61, 5, 1])
    #expect(changes.map(\.block) == [30, 31, 0])
    #expect(changes.map(\.relation) == [sampleRelation, sampleRelation, Self.other])
  }

  @Test func otherHeap2RecordsAreNotRowChanges() throws {
    var wal = WALSegmentBuilder(major: 17)
    let prune = WALRecordSpec(
      resourceManager: ResourceManager.heap2, info: 0x10, transactionID: 0,
      blocks: [WALBlockReference(relation: sampleRelation, block: 3, data: [1, 2, 3, 4])],
      mainData: [0, 0, 0, 0, 0, 0, 0, 0])
    wal.append(prune)
    let outcome = try WALReadOutcome.read(wal)
    #expect(outcome.records.count == 1)
    #expect(outcome.records.first?.event == nil)
  }
}
