import Testing
import WAL
import _PITRTestSupport

/// Records whose contents do not add up decode to `nil`: never a crash, never a misread.
@Suite struct WALRecordEventTruncationTests {
  /// Main data that is a valid start cut short, or claims more than it has.
  static let cases: [(name: String, record: WALRecordSpec)] = {
    var commit = WALBytes()
    commit.int64(sampleTime.microsecondsSince2000)
    commit.uint32(0x002)  // HAS_SUBXACTS
    commit.int32(5)
    commit.uint32(801)
    var negative = WALBytes()
    negative.int64(0)
    negative.uint32(0x004)  // HAS_RELFILENODES
    negative.int32(-1)
    var huge = WALBytes()
    huge.int64(0)
    huge.uint32(0x002)
    huge.int32(.max)
    var twoPhase = WALBytes()
    twoPhase.int64(0)
    twoPhase.uint32(0x010)  // HAS_TWOPHASE, but no xid follows
    let xact = ResourceManager.transaction
    let xlog = ResourceManager.xlog
    return [
      (
        "commit cut in its subxacts",
        WALRecordSpec(resourceManager: xact, info: 0x80, mainData: commit.bytes)
      ),
      (
        "commit shorter than its time",
        WALRecordSpec(resourceManager: xact, info: 0x00, mainData: [1, 2, 3, 4])
      ),
      ("commit without main data", WALRecordSpec(resourceManager: xact, info: 0x00)),
      (
        "abort with a negative count",
        WALRecordSpec(resourceManager: xact, info: 0xA0, mainData: negative.bytes)
      ),
      (
        "commit with 2^31 subxacts",
        WALRecordSpec(resourceManager: xact, info: 0x80, mainData: huge.bytes)
      ),
      (
        "commit prepared without its xid",
        WALRecordSpec(resourceManager: xact, info: 0xB0, mainData: twoPhase.bytes)
      ),
      (
        "prepare cut in its header",
        WALRecordSpec(resourceManager: xact, info: 0x10, mainData: Array(repeating: 7, count: 63))
      ),
      (
        "checkpoint of 20 bytes",
        WALRecordSpec(resourceManager: xlog, info: 0x10, mainData: Array(repeating: 1, count: 20))
      ),
      (
        "restore point of 10 bytes",
        WALRecordSpec(
          resourceManager: xlog, info: 0x70, mainData: Array(repeating: 0x41, count: 10))
      ),
      (
        "backup end of 4 bytes",
        WALRecordSpec(resourceManager: xlog, info: 0x50, mainData: [1, 2, 3, 4])
      ),
      (
        "end of recovery of 8 bytes",
        WALRecordSpec(resourceManager: xlog, info: 0x90, mainData: Array(repeating: 0, count: 8))
      ),
      (
        "truncate of 4 bytes",
        WALRecordSpec(resourceManager: ResourceManager.heap, info: 0x30, mainData: [1, 0, 0, 0])
      ),
      (
        "multi-insert of 1 byte",
        WALRecordSpec(resourceManager: ResourceManager.heap2, info: 0x50, mainData: [0])
      ),
    ]
  }()

  @Test(arguments: 0..<cases.count)
  func cutShortMainDataDecodesToNothing(index: Int) throws {
    let (name, spec) = Self.cases[index]
    var wal = WALSegmentBuilder(major: 18)
    wal.append(spec)
    wal.append(.commit(xid: 1, WALTransactionEndSpec(time: sampleTime)))
    let outcome = try WALReadOutcome.read(wal)
    #expect(outcome.records.count == 2, "\(name)")
    #expect(outcome.records.first?.event == nil, "\(name)")
    #expect(outcome.records.last?.event?.transactionEnd?.transactionID == 1, "\(name)")
  }

  /// A block header claiming more data than the record holds, and an unknown fragment id.
  @Test(arguments: [(26, UInt8(0xFF)), (24, 100)])
  func fragmentsThatDoNotAddUpDecodeToNothing(offset: Int, value: UInt8) throws {
    var wal = WALSegmentBuilder(major: 16)
    var bytes = WALRecordSpec.heapInsert(xid: 5, relation: sampleRelation, block: 1, offset: 1)
      .encoded(previous: wal.previousLSN, version: wal.version)
    bytes[offset] = value
    bytes.replaceSubrange(20..<24, with: WALBytes.of(WALRecordSpec.checksum(bytes)))
    wal.appendEncoded(bytes)
    let outcome = try WALReadOutcome.read(wal)
    #expect(outcome.records.count == 1)
    #expect(outcome.records.first?.event == nil)
  }
}
