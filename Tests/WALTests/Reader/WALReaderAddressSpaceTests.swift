import PostgresVocabulary
import Testing
import _PITRTestSupport

/// The last segment of the 64-bit LSN space: reading up to its end must not overflow.
@Suite struct WALReaderAddressSpaceTests {
  static let size = WALSegmentSize(rawValue: 1 << 20)!

  @Test func recordsOnTheLastPageOfTheLastSegment() throws {
    var wal = WALSegmentBuilder(major: 16, startSegment: Self.size.lastSegmentNumber)
    #expect(wal.segmentFiles()[0].name.description == "00000001FFFFFFFF00000FFF")
    wal.pad(toSegmentRemaining: 64)
    let last = wal.append(.commit(xid: 1, WALTransactionEndSpec(time: sampleTime)))
    #expect(last == LSN(rawValue: UInt64.max - 63))
    let outcome = try WALReadOutcome.read(wal)
    #expect(outcome.lsns == wal.records.map(\.lsn))
    #expect(outcome.end.reason == .zeroLength)
    #expect(outcome.end.lsn == LSN(rawValue: UInt64.max - 23))
  }

  @Test func aRecordEndingExactlyAtTheTopEndsTheWAL() throws {
    var wal = WALSegmentBuilder(major: 16, startSegment: Self.size.lastSegmentNumber)
    wal.pad(toSegmentRemaining: 64)
    let last = wal.append(.filler(totalLength: 64))
    let outcome = try WALReadOutcome.read(wal)
    #expect(outcome.lsns.last == last)
    #expect(outcome.lsns == wal.records.map(\.lsn))
    guard case .invalidPage(let text) = outcome.end.reason else {
      Issue.record("expected the end of the LSN space, got \(outcome.end)")
      return
    }
    #expect(text.contains("end of the WAL address space"))
  }
}
