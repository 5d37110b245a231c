import PostgresVocabulary
import Testing
import WAL
import _PITRTestSupport

/// The builder itself, held to FORMATS.md's worked example and to its own layout rules.
@Suite struct WALSegmentBuilderTests {
  @Test func reproducesAppendixAByteForByte() {
    var wal = WALSegmentBuilder(
      major: 15, segmentSize: .sixteenMiB, systemIdentifier: 7_711_019_213_718_305_796,
      startSegment: 6)
    wal.pad(to: LSN(rawValue: 0x0600_0060))
    #expect(wal.records.map(\.lsn) == [LSN(rawValue: 0x0600_0028)])
    let commit = wal.append(.commit(xid: 725, WALTransactionEndSpec(time: sampleTime)))
    #expect(commit == LSN(rawValue: 0x0600_0060))
    let header: [UInt8] = [
      0x10, 0xD1, 0x06, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x3C, 0xE4, 0xC1, 0x1E, 0x0B,
      0x03, 0x6B, 0x00, 0x00, 0x00, 0x01, 0x00, 0x20, 0x00, 0x00,
    ]
    #expect(wal.bytes(at: LSN(rawValue: 0x0600_0000), count: 40) == header)
    let record: [UInt8] = [
      0x22, 0x00, 0x00, 0x00, 0xD5, 0x02, 0x00, 0x00, 0x28, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x01, 0x00, 0x00, 0xF0, 0x44, 0x41, 0x21,
      0xFF, 0x08, 0x68, 0xA1, 0xE2, 0xF6, 0xDD, 0x03, 0x03, 0x00,
    ]
    #expect(wal.bytes(at: commit, count: 34) == record)
    #expect(wal.insertLSN == LSN(rawValue: 0x0600_0088))
  }

  @Test(arguments: [24, 27, 100, 281, 282, 283, 284, 285, 5_000])
  func fillerHasExactlyTheLengthAskedFor(length: Int) {
    let version = WALSegmentBuilder().version
    let bytes = WALRecordSpec.filler(totalLength: length).encoded(
      previous: .invalid, version: version)
    #expect(bytes.count == length)
    #expect(bytes.prefix(4) == WALBytes.of(UInt32(length))[...])
  }

  @Test func standbyFillersReadBackAsNothing() throws {
    var wal = WALSegmentBuilder(major: 13)
    for length in [24, 27, 283, 300, 9_000] {
      wal.append(.filler(totalLength: length, standby: true))
    }
    let outcome = try WALReadOutcome.read(wal)
    #expect(outcome.records.map(\.length) == [24, 27, 283, 300, 9_000])
    #expect(outcome.records.allSatisfy { $0.resourceManager == 8 && $0.event == nil })
  }

  @Test func recordSpanningAPageGetsAContinuationHeader() {
    var wal = WALSegmentBuilder(major: 14)
    wal.pad(toPageRemaining: 64)
    let lsn = wal.append(.noop([UInt8](repeating: 0xEE, count: 300)))
    #expect(lsn.rawValue % 8192 == 8192 - 64)
    let page = LSN(rawValue: lsn.rawValue + 64)
    let header = WALPageHeader(wal.bytes(at: page, count: 24))
    // 24 + 5 + 300 = 329 bytes, 64 of them on the first page.
    #expect(header?.info == 0x0005)
    #expect(header?.remainingLength == UInt32(329 - 64))
    #expect(header?.pageAddress == page)
    #expect(header?.magic == 0xD10D)
    #expect(wal.insertLSN.rawValue == page.rawValue + 24 + 272)
  }

  @Test func switchLeavesTheRestOfTheSegmentZero() {
    var wal = WALSegmentBuilder(major: 17)
    wal.append(.filler(totalLength: 20_000))
    let switchLSN = wal.append(.switchSegment())
    let next = wal.append(.filler(totalLength: 40))
    #expect(next == LSN(rawValue: 2 << 20 | 40))
    let segment = wal.segmentFiles()[0].bytes
    let switchEnd = Int(switchLSN.rawValue - (1 << 20)) + 24
    #expect(segment[switchEnd...].allSatisfy { $0 == 0 })
    #expect(wal.segmentFiles().count == 2)
    #expect(wal.records.last?.lsn == next)
  }

  @Test func padsToASegmentEnd() {
    var wal = WALSegmentBuilder()
    wal.pad(toSegmentRemaining: 48)
    #expect(wal.insertLSN == LSN(rawValue: (2 << 20) - 48))
    wal.pad(to: LSN(rawValue: (2 << 20) + 40))
    #expect(wal.insertLSN.rawValue == 2 << 20)
  }
}
