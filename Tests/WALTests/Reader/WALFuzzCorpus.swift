import PostgresVocabulary
import WAL
import _PITRTestSupport

/// Valid WAL to start fuzzing from: segment files, how much of each holds records, and every
/// record they hold (found by reading them), to judge what the reader delivers after damage.
struct WALFuzzCorpus {
  /// One record of the undamaged files.
  struct Record {
    var lsn: LSN
    var end: LSN
    var bytes: [UInt8]
  }

  var name: String
  var files: [(name: WALSegmentName, bytes: [UInt8])]
  var segmentSize: WALSegmentSize
  var blockSize: Int
  /// How many bytes of each file hold records.
  var used: [Int]
  /// Where the records are, for the mutations.
  var places: [WALMutation.RecordPlace]
  /// The records, in order.
  var records: [Record]
  /// The records by LSN.
  var byLSN: [LSN: [UInt8]]

  /// The entry for what `wal` wrote; every record it wrote must read back.
  init(name: String, _ wal: WALSegmentBuilder) throws {
    try self.init(name: name, files: wal.segmentFiles(), blockSize: wal.blockSize)
    guard records.map(\.lsn) == wal.records.map(\.lsn) else {
      throw FixtureError("\(name): \(records.count) of \(wal.records.count) records read back")
    }
  }

  /// Segment files (real or synthetic), with their records found by reading them.
  init(name: String, files: [(name: WALSegmentName, bytes: [UInt8])], blockSize: Int) throws {
    self.name = name
    self.files = files
    self.blockSize = blockSize
    guard let head = files.first,
      let segmentSize = WALSegmentSize(rawValue: UInt32(head.bytes.count)),
      let first = head.name.segmentNumber(size: segmentSize)
    else { throw FixtureError("\(name): not whole segments") }
    self.segmentSize = segmentSize
    let size = segmentSize.bytes
    var places: [WALMutation.RecordPlace] = []
    var records: [Record] = []
    var used = [Int](repeating: 0, count: files.count)
    let reader = WALReader(provider: WALMemorySegments(files))
    _ = try reader.read { record in
      let file = Int(record.lsn.rawValue / size - first)
      let last = Int((record.nextLSN.rawValue - 1) / size - first)
      for earlier in file..<min(last, used.count) { used[earlier] = Int(size) }
      if last < used.count {
        used[last] = max(used[last], Int((record.nextLSN.rawValue - 1) % size) + 1)
      }
      places.append(
        WALMutation.RecordPlace(
          file: file, offset: Int(record.lsn.rawValue % size), length: record.length))
      records.append(Record(lsn: record.lsn, end: record.nextLSN, bytes: Array(record.bytes)))
    }
    self.places = places
    self.records = records
    self.used = used
    byLSN = Dictionary(uniqueKeysWithValues: records.map { ($0.lsn, $0.bytes) })
  }

  // MARK: - Synthetic entries

  /// The synthetic entries: transactions (13), layouts (15, and 14 with 1 KiB pages), row
  /// changes (18).
  static func synthetic() throws -> [WALFuzzCorpus] {
    [
      try transactions(major: 13), try layouts(major: 15), try rows(major: 18),
      try layouts(major: 14, blockSize: 1024),
    ]
  }

  /// Commits, aborts, prepares and restore points, a record across segments, a switch.
  static func transactions(major: Int) throws -> WALFuzzCorpus {
    var wal = WALSegmentBuilder(major: major)
    for xid in UInt32(1000)..<1060 {
      wal.append(
        .commit(
          xid: xid,
          WALTransactionEndSpec(
            time: sampleTime, databaseInfo: (5, 1663),
            subtransactions: (0..<xid % 7).map { xid * 10 + $0 }, invalidations: Int(xid % 3))))
      if xid % 5 == 0 {
        wal.append(
          .abort(
            xid: xid + 5000,
            WALTransactionEndSpec(time: sampleTime, droppedRelations: [sampleRelation])))
      }
      if xid % 11 == 0 {
        wal.append(
          .prepare(
            xid: xid + 7000, time: sampleTime, globalIdentifier: "g\(xid)", subtransactions: [1, 2])
        )
        wal.append(
          .commitPrepared(
            WALTransactionEndSpec(
              time: sampleTime, twoPhaseTransactionID: xid + 7000, globalIdentifier: "g\(xid)")))
      }
      if xid % 17 == 0 { wal.append(.restorePoint(name: "rp\(xid)", time: sampleTime)) }
    }
    wal.pad(toPageRemaining: 8)
    wal.append(.commit(xid: 2000, WALTransactionEndSpec(time: sampleTime)))
    wal.pad(toSegmentRemaining: 400)
    wal.append(WALReaderLayoutTests.bigCommit(xid: 3000, subtransactions: 900))
    wal.append(
      .checkpoint(
        online: true, redo: wal.previousLSN, timeline: TimelineID(1), unixTime: 1_790_000_000))
    wal.append(.switchSegment())
    wal.append(.commit(xid: 3001, WALTransactionEndSpec(time: sampleTime)))
    wal.append(.restorePoint(name: "last", time: sampleTime))
    return try WALFuzzCorpus(name: "transactions-\(major)", wal)
  }

  /// Large records over many pages and into the next segment, split headers, an overwritten
  /// continuation.
  static func layouts(major: Int, blockSize: Int = 8192) throws -> WALFuzzCorpus {
    var wal = WALSegmentBuilder(major: major, blockSize: blockSize)
    wal.append(.noop((0..<40_000).map { UInt8(truncatingIfNeeded: $0 &* 13) }))
    for remaining in [8, 16, 24, 32] {
      wal.pad(toPageRemaining: remaining)
      wal.append(.commit(xid: UInt32(remaining), WALTransactionEndSpec(time: sampleTime)))
    }
    wal.pad(toPageRemaining: 200)
    let abandoned = wal.appendAbandoned(
      WALReaderLayoutTests.bigCommit(xid: 8, subtransactions: 300))
    wal.append(.overwriteContinuation(of: abandoned, time: sampleTime))
    wal.append(
      .endOfRecovery(time: sampleTime, timeline: TimelineID(1), previousTimeline: TimelineID(1)))
    wal.append(.backupEnd(start: LSN(rawValue: 0x10_0028)))
    wal.pad(toSegmentRemaining: 8)
    wal.append(.noop((0..<20_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }))
    for xid in UInt32(1)...40 {
      wal.append(
        .heapInsert(
          xid: xid, relation: sampleRelation, block: xid, offset: 1,
          image: xid % 4 == 0 ? .page(holeOffset: 100, holeLength: 5_000) : nil))
      wal.append(.commit(xid: xid, WALTransactionEndSpec(time: sampleTime)))
    }
    return try WALFuzzCorpus(name: "layouts-\(major)-\(blockSize)", wal)
  }

  /// Row changes with full-page images of every kind.
  static func rows(major: Int) throws -> WALFuzzCorpus {
    var wal = WALSegmentBuilder(major: major)
    let images: [WALBlockImage?] = [
      nil, .page(), .page(holeOffset: 300, holeLength: 6_000),
      .compressed(.lz4, length: 900, holeOffset: 10, holeLength: 200),
      .compressed(.zstd, length: 300),
      .compressed(.pglz, length: 500, holeOffset: 64, holeLength: 1_000),
    ]
    for xid in UInt32(1)...90 {
      let image = images[Int(xid) % images.count]
      switch xid % 6 {
      case 0:
        wal.append(
          .heapInsert(xid: xid, relation: sampleRelation, block: xid, offset: 2, image: image))
      case 1:
        wal.append(
          .heapDelete(xid: xid, relation: sampleRelation, block: xid, offset: 3, image: image))
      case 2:
        wal.append(
          .heapUpdate(
            xid: xid, hot: false, relation: sampleRelation, newBlock: xid, newOffset: 1,
            oldBlock: xid + 1, oldOffset: 4, image: image))
      case 3:
        wal.append(
          .heapUpdate(
            xid: xid, hot: true, relation: sampleRelation, newBlock: xid, newOffset: 5, oldOffset: 4
          ))
      case 4: wal.append(.heapTruncate(xid: xid, database: 5, tables: [xid, xid + 1]))
      default:
        wal.append(
          .heapMultiInsert(
            xid: xid, relation: sampleRelation, block: xid, rows: Int(xid % 40) + 1,
            initPage: xid % 2 == 0))
      }
      wal.append(
        .commit(
          xid: xid,
          WALTransactionEndSpec(
            time: sampleTime,
            droppedStats: [.init(kind: 1, database: 5, object: UInt64(xid) << 33)],
            twoPhaseTransactionID: xid % 3 == 0 ? xid : nil,
            globalIdentifier: xid % 3 == 0 ? "t" : nil)))
    }
    wal.pad(toSegmentRemaining: 2_000)
    wal.append(.heapInsert(xid: 9, relation: sampleRelation, block: 9, offset: 1, image: .page()))
    wal.append(.commit(xid: 9, WALTransactionEndSpec(time: sampleTime)))
    return try WALFuzzCorpus(name: "rows-\(major)", wal)
  }
}
