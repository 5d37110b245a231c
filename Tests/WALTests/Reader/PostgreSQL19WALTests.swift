import PostgresVocabulary
import Testing
import WAL
import _PITRTestSupport

/// PostgreSQL 19's WAL: page magic 0xD121, `xlp_info` without `XLP_BKP_REMOVABLE` and with
/// the overwrite flag at 0x0004, the XLOG2 resource manager (22), and a 96-byte CheckPoint.
@Suite struct PostgreSQL19WALTests {
  @Test func magicIdentifiesPostgreSQL19() {
    #expect(WALVersion(magic: 0xD121)?.major == 19)
    #expect(WALVersion(magic: 0xD121)?.description == "PostgreSQL 19")
    #expect(WALVersion(magic: 0xD120) == nil)
    #expect(WALVersion(magic: 0xD121)?.validInfoMask == 0x0007)
    #expect(WALVersion(magic: 0xD118)?.validInfoMask == 0x000F)
  }

  @Test func recordsTargetsDependOnAreDecoded() throws {
    var wal = WALSegmentBuilder(major: 19)
    let commit = wal.append(.commit(xid: 740, WALTransactionEndSpec(time: sampleTime)))
    // XLOG2_CHECKSUMS: `xl_checksum_state` (a 4-byte ChecksumStateType).
    let checksums = wal.append(
      WALRecordSpec(resourceManager: ResourceManager.xlog2, info: 0x00, mainData: [1, 0, 0, 0]))
    let abort = wal.append(.abort(xid: 741, WALTransactionEndSpec(time: sampleTime)))
    let point = wal.append(.restorePoint(name: "before_upgrade", time: sampleTime))
    let checkpoint = wal.append(
      .checkpoint(
        online: true, redo: LSN(rawValue: 0x10_0028), timeline: TimelineID(1),
        unixTime: 1_795_000_000))
    let switchLSN = wal.append(.switchSegment())
    let next = wal.append(.commit(xid: 742, WALTransactionEndSpec(time: sampleTime)))
    // Long headers say only XLP_LONG_HEADER: 19 has no XLP_BKP_REMOVABLE.
    #expect(wal.bytes(at: LSN(rawValue: 1 << 20), count: 4) == [0x21, 0xD1, 0x02, 0x00])
    let outcome = try WALReadOutcome.read(wal)
    #expect(outcome.lsns == [commit, checksums, abort, point, checkpoint, switchLSN, next])
    let events = outcome.records.map(\.event)
    #expect(events[0]?.transactionEnd?.outcome == .commit)
    #expect(events[0]?.transactionEnd?.transactionID == 740)
    #expect(events[1] == nil)
    #expect(outcome.records[1].resourceManager == 22)
    #expect(events[2]?.transactionEnd?.outcome == .abort)
    #expect(events[3]?.restorePoint?.name == "before_upgrade")
    #expect(events[3]?.restorePoint?.time == sampleTime)
    let decoded = try #require(events[4]?.checkpoint)
    #expect(decoded.redo == LSN(rawValue: 0x10_0028))
    #expect(decoded.unixTime == 1_795_000_000)
    #expect(outcome.records[4].length == 24 + 2 + 96)
    #expect(events[5] == .switchSegment)
    #expect(events[6]?.transactionEnd?.transactionID == 742)
    #expect(outcome.end.reason == .zeroLength)
  }

  /// 0x0008 was the overwrite flag up to 18; in 19 WAL it is not a valid bit.
  @Test func theEighteenOverwriteBitIsInvalidIn19() throws {
    var wal = WALSegmentBuilder(major: 19)
    while wal.insertLSN < LSN(rawValue: (1 << 20) + 8192) {
      wal.append(.commit(xid: 700, WALTransactionEndSpec(time: sampleTime)))
    }
    let page = LSN(rawValue: (1 << 20) + 8192)
    let info = wal.bytes(at: LSN(rawValue: page.rawValue + 2), count: 1)[0]
    wal.patch([info | 0x08], at: LSN(rawValue: page.rawValue + 2))
    let outcome = try WALReadOutcome.read(wal)
    #expect(
      outcome.end.reason
        == .invalidPage(
          "invalid info bits \(String(UInt16(info | 0x08), radix: 16)) in WAL segment "
            + "\(wal.segmentFiles()[0].name), LSN \(page)"))
  }

  /// A CheckPoint record cut short of 19's time field is left undecoded, not misread.
  @Test func aShortCheckpointIsNotDecoded() throws {
    var wal = WALSegmentBuilder(major: 19)
    wal.append(
      WALRecordSpec(resourceManager: ResourceManager.xlog, info: 0x10, mainData: Array(repeating: 1, count: 76)))
    let outcome = try WALReadOutcome.read(wal)
    #expect(outcome.records.count == 1)
    #expect(outcome.records[0].event == nil)
  }
}
