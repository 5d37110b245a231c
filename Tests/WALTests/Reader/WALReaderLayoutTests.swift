import PostgresVocabulary
import Testing
import _PITRTestSupport

/// Records laid across pages and segments, switches, compressed segments, and where reading
/// starts (FORMATS.md §2.4, §8 items 1–3).
@Suite struct WALReaderLayoutTests {
  /// A commit whose main data is 16 + 4 × `subtransactions` bytes.
  static func bigCommit(xid: UInt32, subtransactions: Int) -> WALRecordSpec {
    .commit(
      xid: xid,
      WALTransactionEndSpec(
        time: sampleTime, subtransactions: (1...UInt32(subtransactions)).map { xid + $0 }))
  }

  /// Checks that the reader delivered exactly what the builder wrote, with intact bytes.
  static func expectEverything(_ outcome: WALReadOutcome, _ wal: WALSegmentBuilder) {
    #expect(outcome.lsns == wal.records.map(\.lsn))
    #expect(outcome.records.map(\.length) == wal.records.map(\.length))
    #expect(outcome.records.map(\.nextLSN) == wal.records.map(\.end))
    for record in outcome.records {
      #expect(Array(record.bytes[20..<24]) == WALBytes.of(WALRecordSpec.checksum(record.bytes)))
    }
  }

  @Test func recordSplitAcrossTwoPages() throws {
    var wal = WALSegmentBuilder(major: 15)
    wal.pad(toPageRemaining: 64)
    let commit = wal.append(Self.bigCommit(xid: 2000, subtransactions: 100))
    let after = wal.append(.backupEnd(start: LSN(rawValue: 0x12_3456)))
    let outcome = try WALReadOutcome.read(wal)
    Self.expectEverything(outcome, wal)
    #expect(commit.rawValue % 8192 == 8192 - 64)
    let end = try #require(outcome.records.first { $0.lsn == commit }?.event?.transactionEnd)
    #expect(end.subtransactions == (2001...2100).map { $0 })
    #expect(outcome.records.last?.lsn == after)
    #expect(outcome.records.last?.event == .backupEnd(start: LSN(rawValue: 0x12_3456)))
    #expect(outcome.end.reason == .zeroLength)
  }

  @Test func fortyKiBRecordAcrossManyPages() throws {
    var wal = WALSegmentBuilder(major: 18)
    wal.append(.filler(totalLength: 1_000))
    let payload = (0..<40 * 1024).map { UInt8(truncatingIfNeeded: $0 * 7 + $0 / 256) }
    let big = wal.append(.noop(payload))
    wal.append(.commit(xid: 3000, WALTransactionEndSpec(time: sampleTime)))
    let outcome = try WALReadOutcome.read(wal)
    Self.expectEverything(outcome, wal)
    let record = try #require(outcome.records.first { $0.lsn == big })
    #expect(record.length == 24 + 5 + 40 * 1024)
    #expect(Array(record.bytes.suffix(40 * 1024)) == payload)
    #expect(outcome.records.last?.event?.transactionEnd?.transactionID == 3000)
  }

  @Test func recordAcrossASegmentBoundaryFromTwoFiles() throws {
    let directory = try TemporaryDirectory("wal-span")
    defer { directory.remove() }
    var wal = WALSegmentBuilder(major: 16)
    wal.pad(toSegmentRemaining: 200)
    let spanning = wal.append(Self.bigCommit(xid: 4000, subtransactions: 700))
    let next = wal.append(.restorePoint(name: "after", time: sampleTime))
    let files = try wal.write(to: directory.path)
    #expect(files.count == 2)
    let outcome = try WALReadOutcome.read(files: files)
    Self.expectEverything(outcome, wal)
    #expect(spanning.rawValue == (2 << 20) - 200)
    #expect(
      outcome.records.first { $0.lsn == spanning }?.event?.transactionEnd?.subtransactions.count
        == 700)
    #expect(next.rawValue > 2 << 20)
    #expect(outcome.records.last?.event?.restorePoint?.name == "after")
    #expect(outcome.end.reason == .zeroLength)
    #expect(outcome.end.segment == files[1].name)
  }

  @Test(arguments: [false, true])
  func splitHeaderEightBytesBeforeAPageEnd(atSegmentEnd: Bool) throws {
    var wal = WALSegmentBuilder(major: 14)
    if atSegmentEnd { wal.pad(toSegmentRemaining: 8) } else { wal.pad(toPageRemaining: 8) }
    let split = wal.append(.commit(xid: 5000, WALTransactionEndSpec(time: sampleTime)))
    wal.append(.commit(xid: 5001, WALTransactionEndSpec(time: sampleTime)))
    #expect(split.rawValue % 8192 == 8192 - 8)
    let outcome = try WALReadOutcome.read(wal)
    Self.expectEverything(outcome, wal)
    #expect(outcome.events.compactMap { $0?.transactionEnd?.transactionID } == [5000, 5001])
  }

  @Test func recordEndingExactlyAtAPageEnd() throws {
    var wal = WALSegmentBuilder(major: 13)
    wal.pad(toPageRemaining: 64)
    let exact = wal.append(.filler(totalLength: 64))
    let next = wal.append(.backupEnd(start: LSN(rawValue: 8)))
    #expect(next.rawValue == exact.rawValue + 64 + 24)
    let outcome = try WALReadOutcome.read(wal)
    Self.expectEverything(outcome, wal)
    #expect(outcome.records.first { $0.lsn == exact }?.nextLSN.rawValue == exact.rawValue + 64)
  }

  @Test func switchThenTheNextSegment() throws {
    let directory = try TemporaryDirectory("wal-switch")
    defer { directory.remove() }
    var wal = WALSegmentBuilder(major: 15)
    wal.append(.commit(xid: 6000, WALTransactionEndSpec(time: sampleTime)))
    let switchLSN = wal.append(.switchSegment())
    let first = wal.append(.commit(xid: 6001, WALTransactionEndSpec(time: sampleTime)))
    #expect(first == LSN(rawValue: (2 << 20) + 40))
    let files = try wal.write(to: directory.path)
    let outcome = try WALReadOutcome.read(files: files)
    Self.expectEverything(outcome, wal)
    try #require(outcome.records.count == 3)
    #expect(outcome.records.map(\.lsn) == [outcome.records[0].lsn, switchLSN, first])
    #expect(outcome.records[1].event == .switchSegment)
    #expect(outcome.records[2].event?.transactionEnd?.transactionID == 6001)
    #expect(outcome.records[2].lsn == first)
    // The first record of the new segment points back at the switch.
    #expect(Array(outcome.records[2].bytes[8..<16]) == WALBytes.of(switchLSN.rawValue))
  }

  @Test func readsGzippedSegments() throws {
    let directory = try TemporaryDirectory("wal-gz")
    defer { directory.remove() }
    var wal = WALSegmentBuilder(major: 17)
    wal.append(.commit(xid: 7000, WALTransactionEndSpec(time: sampleTime)))
    wal.pad(toSegmentRemaining: 104)
    wal.append(Self.bigCommit(xid: 7001, subtransactions: 60))
    let files = try wal.write(to: directory.path, compressed: true)
    #expect(files.allSatisfy { $0.path.hasSuffix(".gz") })
    let outcome = try WALReadOutcome.read(files: files)
    Self.expectEverything(outcome, wal)
    #expect(outcome.events.compactMap { $0?.transactionEnd?.transactionID } == [7000, 7001])
    #expect(outcome.end.reason == .zeroLength)
  }

  @Test(arguments: [600, 20_000])
  func startingAtASegmentThatBeginsWithAContinuation(carriedOver: Int) throws {
    var wal = WALSegmentBuilder(major: 15)
    wal.pad(toSegmentRemaining: 96)
    wal.append(.noop([UInt8](repeating: 0x44, count: carriedOver + 96 - 29)))
    let first = wal.append(.commit(xid: 8000, WALTransactionEndSpec(time: sampleTime)))
    wal.append(.commit(xid: 8001, WALTransactionEndSpec(time: sampleTime)))
    let second = Array(wal.segmentFiles().dropFirst())
    let outcome = try WALReadOutcome.read(second)
    #expect(outcome.lsns == wal.records.suffix(2).map(\.lsn))
    #expect(outcome.records.first?.lsn == first)
    #expect(outcome.events.compactMap { $0?.transactionEnd?.transactionID } == [8000, 8001])
    #expect(outcome.end.reason == .zeroLength)
  }

  @Test func pagesMayMoveToANewerTimelineInsideAFile() throws {
    var wal = WALSegmentBuilder(major: 15, timeline: TimelineID(1))
    wal.fileTimeline = TimelineID(2)
    wal.append(.commit(xid: 9000, WALTransactionEndSpec(time: sampleTime)))
    wal.pad(toPageRemaining: 16)
    wal.pageTimeline = TimelineID(2)
    wal.append(
      .endOfRecovery(time: sampleTime, timeline: TimelineID(2), previousTimeline: TimelineID(1)))
    wal.append(.commit(xid: 9001, WALTransactionEndSpec(time: sampleTime)))
    let outcome = try WALReadOutcome.read(wal)
    Self.expectEverything(outcome, wal)
    #expect(outcome.records.first?.timeline == TimelineID(1))
    #expect(outcome.records.last?.timeline == TimelineID(2))
  }

  @Test(arguments: [1024, 4096, 32_768, 65_536])
  func otherPageSizes(blockSize: Int) throws {
    var wal = WALSegmentBuilder(major: 16, blockSize: blockSize)
    wal.append(.noop((0..<3 * blockSize).map { UInt8(truncatingIfNeeded: $0) }))
    wal.pad(toPageRemaining: 8)
    wal.append(.commit(xid: 10, WALTransactionEndSpec(time: sampleTime)))
    wal.pad(toSegmentRemaining: 48)
    wal.append(Self.bigCommit(xid: 11, subtransactions: blockSize / 2))
    wal.append(.restorePoint(name: "paged", time: sampleTime))
    let outcome = try WALReadOutcome.read(wal)
    Self.expectEverything(outcome, wal)
    #expect(outcome.events.compactMap { $0?.transactionEnd?.transactionID } == [10, 11])
    #expect(outcome.end.reason == .zeroLength)
  }
}
