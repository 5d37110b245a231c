import Foundation
import PostgresVocabulary
import Testing
import WAL
import _PITRTestSupport

/// Every way valid WAL ends (FORMATS.md §2.5, §8 items 4–7): the reason and the LSN the reader
/// reports, and that everything before it was delivered.
@Suite struct WALReaderEndTests {
  /// The first segment's start with the default 1 MiB segments.
  static let start: UInt64 = 1 << 20

  /// The LSN of page `index` (from the first segment's start).
  static func page(_ index: Int) -> LSN { LSN(rawValue: start + UInt64(index * 8192)) }

  /// A builder holding a few records spread over the first pages.
  static func someRecords(major: Int = 16, pages: Int = 3) -> WALSegmentBuilder {
    var wal = WALSegmentBuilder(major: major)
    var xid: UInt32 = 100
    while wal.insertLSN < page(pages) {
      wal.append(.commit(xid: xid, WALTransactionEndSpec(time: sampleTime)))
      wal.append(.filler(totalLength: 700))
      xid += 1
    }
    return wal
  }

  static func detail(_ reason: EndOfWAL.Reason) -> String {
    switch reason {
    case .invalidPage(let text), .invalidRecord(let text), .brokenContinuation(let text),
      .unreadable(let text):
      return text
    default: return ""
    }
  }

  @Test func zeroLengthAfterTheLastRecord() throws {
    let wal = Self.someRecords()
    let outcome = try WALReadOutcome.read(wal)
    #expect(outcome.lsns == wal.records.map(\.lsn))
    #expect(outcome.end.reason == .zeroLength)
    #expect(outcome.end.lsn == wal.insertLSN)
    #expect(outcome.end.segment == wal.segmentFiles()[0].name)
  }

  @Test func badChecksum() throws {
    var wal = Self.someRecords()
    let bad = wal.append(.restorePoint(name: "x", time: sampleTime), corruptCRC: true)
    wal.append(.commit(xid: 1, WALTransactionEndSpec(time: sampleTime)))
    let outcome = try WALReadOutcome.read(wal)
    #expect(outcome.lsns == wal.records.map(\.lsn).filter { $0 < bad })
    #expect(outcome.end.reason == .checksumMismatch)
    #expect(outcome.end.lsn == bad)
  }

  @Test func badChecksumInTheContinuationOfASpanningRecord() throws {
    var wal = Self.someRecords(pages: 1)
    wal.pad(toPageRemaining: 64)
    let spanning = wal.append(WALReaderLayoutTests.bigCommit(xid: 500, subtransactions: 100))
    let continuation = LSN(rawValue: spanning.rawValue + 64 + 24 + 10)
    wal.patch([wal.bytes(at: continuation, count: 1)[0] ^ 0x40], at: continuation)
    let outcome = try WALReadOutcome.read(wal)
    #expect(outcome.end.reason == .checksumMismatch)
    #expect(outcome.end.lsn == spanning)
    #expect(outcome.lsns.last! < spanning)
  }

  @Test func previousLinkMismatch() throws {
    var wal = Self.someRecords()
    let last = wal.previousLSN
    let stale = wal.append(
      .commit(xid: 9, WALTransactionEndSpec(time: sampleTime)), previous: LSN(rawValue: 0xDEAD0))
    let outcome = try WALReadOutcome.read(wal)
    #expect(outcome.lsns.last == last)
    #expect(
      outcome.end.reason == .previousLinkMismatch(expected: last, found: LSN(rawValue: 0xDEAD0)))
    #expect(outcome.end.lsn == stale)
  }

  @Test func previousLinkMismatchAcrossASegmentBoundary() throws {
    let directory = try TemporaryDirectory("wal-prev")
    defer { directory.remove() }
    var wal = WALSegmentBuilder(major: 15)
    wal.append(.commit(xid: 1, WALTransactionEndSpec(time: sampleTime)))
    wal.pad(toSegmentRemaining: 48)
    let last = wal.append(.filler(totalLength: 48))
    let first = wal.append(
      .commit(xid: 2, WALTransactionEndSpec(time: sampleTime)), previous: LSN(rawValue: 0x10_0028))
    #expect(first == LSN(rawValue: (2 << 20) + 40))
    let files = try wal.write(to: directory.path)
    let outcome = try WALReadOutcome.read(files: files)
    #expect(outcome.lsns.last == last)
    #expect(
      outcome.end.reason == .previousLinkMismatch(expected: last, found: LSN(rawValue: 0x10_0028)))
    #expect(outcome.end.lsn == first)
    #expect(outcome.end.segment == files[1].name)
  }

  @Test func recycledPageHasAStalePageAddress() throws {
    var wal = Self.someRecords(pages: 4)
    // Page 2 left over from the segment before, as in a recycled segment.
    let stale = Self.page(2).rawValue - (1 << 20)
    wal.patch(WALBytes.of(stale), at: LSN(rawValue: Self.page(2).rawValue + 8))
    let outcome = try WALReadOutcome.read(wal)
    #expect(Self.detail(outcome.end.reason).contains("unexpected pageaddr"))
    // The end is the page, or the record that was crossing into it.
    let crossing = wal.records.first { $0.lsn < Self.page(2) && $0.end > Self.page(2) }
    #expect(outcome.end.lsn == crossing?.lsn ?? Self.page(2))
    #expect(outcome.lsns == wal.records.map(\.lsn).filter { $0 < outcome.end.lsn })
  }

  @Test func recycledNextSegment() throws {
    var wal = WALSegmentBuilder(major: 16)
    wal.append(.commit(xid: 1, WALTransactionEndSpec(time: sampleTime)))
    wal.pad(toSegmentRemaining: 48)
    wal.append(.filler(totalLength: 48))
    var old = WALSegmentBuilder(major: 16, startSegment: 0)
    old.append(.commit(xid: 2, WALTransactionEndSpec(time: sampleTime)))
    let name = WALSegmentName(timeline: TimelineID(1), segmentNumber: 2, size: wal.segmentSize)
    let files = wal.segmentFiles() + [(name, old.segmentFiles()[0].bytes)]
    let outcome = try WALReadOutcome.read(files)
    #expect(outcome.lsns == wal.records.map(\.lsn))
    #expect(Self.detail(outcome.end.reason).contains("unexpected pageaddr 0/0"))
    #expect(outcome.end.lsn == LSN(rawValue: 2 << 20))
    #expect(outcome.end.segment == name)
  }

  @Test func nextSegmentOfAnotherCluster() throws {
    var wal = WALSegmentBuilder(major: 16)
    wal.pad(toSegmentRemaining: 48)
    wal.append(.filler(totalLength: 48))
    var other = WALSegmentBuilder(major: 16, systemIdentifier: 42, startSegment: 2)
    other.append(.commit(xid: 2, WALTransactionEndSpec(time: sampleTime)))
    let outcome = try WALReadOutcome.read(wal.segmentFiles() + other.segmentFiles())
    #expect(Self.detail(outcome.end.reason).contains("another cluster"))
    #expect(outcome.end.lsn == LSN(rawValue: 2 << 20))
  }

  @Test func pageTimelineLowerThanThePreviousPage() throws {
    var wal = WALSegmentBuilder(major: 15, timeline: TimelineID(2))
    wal.append(.commit(xid: 1, WALTransactionEndSpec(time: sampleTime)))
    wal.pad(toPageRemaining: 24)
    wal.pageTimeline = TimelineID(1)
    let last = wal.append(.filler(totalLength: 24))
    wal.append(.commit(xid: 2, WALTransactionEndSpec(time: sampleTime)))
    let outcome = try WALReadOutcome.read(wal)
    #expect(outcome.lsns.last == last)
    #expect(Self.detail(outcome.end.reason).contains("out-of-sequence timeline ID 1 (after 2)"))
    #expect(outcome.end.lsn == Self.page(1))
  }

  @Test func pageOfANewerTimelineThanTheFileName() throws {
    var wal = Self.someRecords(pages: 2)
    wal.patch(WALBytes.of(UInt32(2)), at: LSN(rawValue: Self.page(1).rawValue + 4))
    let outcome = try WALReadOutcome.read(wal)
    #expect(Self.detail(outcome.end.reason).contains("page of timeline 2"))
  }

  @Test(arguments: [UInt16(0xD0FF), 0x10D1, 0, 0xD120, 0xD122])
  func unknownMagicNamesTheMagicAndTheFile(magic: UInt16) throws {
    var wal = Self.someRecords(pages: 1)
    wal.patch(WALBytes.of(magic), at: Self.page(0))
    let outcome = try WALReadOutcome.read(wal)
    #expect(outcome.records.isEmpty)
    let text = Self.detail(outcome.end.reason)
    #expect(text.contains("0x" + String(magic, radix: 16, uppercase: true)))
    #expect(text.contains("memory/\(wal.segmentFiles()[0].name)"))
    #expect(outcome.end.lsn == Self.page(0))
    #expect(outcome.end.description.contains("not PostgreSQL 13 to 19"))
  }

  @Test func wrongMagicMidStream() throws {
    var wal = Self.someRecords(major: 16, pages: 4)
    wal.patch(WALBytes.of(UInt16(0xD10D)), at: Self.page(3))
    let outcome = try WALReadOutcome.read(wal)
    #expect(Self.detail(outcome.end.reason).contains("invalid magic number D10D"))
    let crossing = wal.records.first { $0.lsn < Self.page(3) && $0.end > Self.page(3) }
    #expect(outcome.end.lsn == crossing?.lsn ?? Self.page(3))
    #expect(outcome.lsns == wal.records.map(\.lsn).filter { $0 < outcome.end.lsn })
  }

  @Test func missingNextSegmentWhileARecordSpansIntoIt() throws {
    var wal = WALSegmentBuilder(major: 15)
    wal.pad(toSegmentRemaining: 96)
    let spanning = wal.append(WALReaderLayoutTests.bigCommit(xid: 3, subtransactions: 50))
    let first = Array(wal.segmentFiles().prefix(1))
    let outcome = try WALReadOutcome.read(first)
    #expect(outcome.lsns.last! < spanning)
    let next = WALSegmentName(timeline: TimelineID(1), segmentNumber: 2, size: wal.segmentSize)
    #expect(outcome.end.reason == .missingSegment(next))
    #expect(outcome.end.lsn == spanning)
  }

  @Test func missingNextSegmentAfterAFullOne() throws {
    let directory = try TemporaryDirectory("wal-missing")
    defer { directory.remove() }
    var wal = WALSegmentBuilder(major: 15)
    wal.pad(toSegmentRemaining: 48)
    wal.append(.filler(totalLength: 48))
    wal.append(.commit(xid: 4, WALTransactionEndSpec(time: sampleTime)))
    let files = try wal.write(to: directory.path, segments: [1])
    let outcome = try WALReadOutcome.read(files: files)
    #expect(outcome.lsns == wal.records.dropLast().map(\.lsn))
    let next = WALSegmentName(timeline: TimelineID(1), segmentNumber: 2, size: wal.segmentSize)
    #expect(outcome.end.reason == .missingSegment(next))
    #expect(outcome.end.lsn == LSN(rawValue: 2 << 20))
  }

  @Test func truncatedFile() throws {
    let directory = try TemporaryDirectory("wal-truncated")
    defer { directory.remove() }
    let wal = Self.someRecords(pages: 5)
    let files = try wal.write(to: directory.path)
    let handle = try #require(FileHandle(forWritingAtPath: files[0].path))
    try handle.truncate(atOffset: 3 * 8192 + 100)
    try handle.close()
    let outcome = try WALReadOutcome.read(files: files)
    #expect(outcome.end.reason == .truncatedSegment(path: files[0].path, bytes: 3 * 8192 + 100))
    let crossing = wal.records.first { $0.lsn < Self.page(3) && $0.end > Self.page(3) }
    #expect(outcome.end.lsn == crossing?.lsn ?? Self.page(3))
    #expect(outcome.lsns == wal.records.map(\.lsn).filter { $0 < outcome.end.lsn })
  }

  /// Damage in the first compressed bytes: nothing can be read.
  @Test func corruptGzipAtTheStart() throws {
    let directory = try TemporaryDirectory("wal-badgz")
    defer { directory.remove() }
    let wal = Self.someRecords(pages: 5)
    let files = try wal.write(to: directory.path, compressed: true)
    var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: files[0].path)))
    for index in stride(from: 200, to: bytes.count - 8, by: 97) { bytes[index] ^= 0xA5 }
    try Data(bytes).write(to: URL(fileURLWithPath: files[0].path))
    let outcome = try WALReadOutcome.read(files: files)
    #expect(outcome.records.isEmpty)
    guard case .unreadable(let text) = outcome.end.reason else {
      Issue.record("expected an unreadable file, got \(outcome.end)")
      return
    }
    #expect(text.contains(files[0].path))
    #expect(outcome.end.segment == files[0].name)
  }

  /// A cut further on: the records before it are read, then the file is unreadable.
  @Test func truncatedGzipFurtherOn() throws {
    let directory = try TemporaryDirectory("wal-cutgz")
    defer { directory.remove() }
    let wal = Self.someRecords(pages: 127)
    let files = try wal.write(to: directory.path, compressed: true)
    var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: files[0].path)))
    bytes.removeLast(bytes.count / 2)
    try Data(bytes).write(to: URL(fileURLWithPath: files[0].path))
    let outcome = try WALReadOutcome.read(files: files)
    guard case .unreadable(let text) = outcome.end.reason else {
      Issue.record("expected an unreadable file, got \(outcome.end)")
      return
    }
    #expect(text.contains(files[0].path))
    #expect(!outcome.records.isEmpty)
    #expect(outcome.lsns == Array(wal.records.map(\.lsn).prefix(outcome.records.count)))
    #expect(outcome.lsns.last! < outcome.end.lsn)
  }

  /// Damaged deflate data may inflate to garbage before zlib notices: then the WAL checks
  /// stop the reading. Either way only records that were written come out.
  @Test func damagedGzipFurtherOn() throws {
    let directory = try TemporaryDirectory("wal-badgz")
    defer { directory.remove() }
    let wal = Self.someRecords(pages: 127)
    let files = try wal.write(to: directory.path, compressed: true)
    var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: files[0].path)))
    for index in stride(from: bytes.count / 2, to: bytes.count - 8, by: 97) { bytes[index] ^= 0xA5 }
    try Data(bytes).write(to: URL(fileURLWithPath: files[0].path))
    let outcome = try WALReadOutcome.read(files: files)
    #expect(!outcome.records.isEmpty)
    #expect(outcome.lsns == Array(wal.records.map(\.lsn).prefix(outcome.records.count)))
    #expect(outcome.records.count < wal.records.count)
    #expect(outcome.end.reason != .zeroLength)
  }

  @Test func continuationWithoutTheContrecordFlag() throws {
    var wal = Self.someRecords(pages: 1)
    wal.pad(toPageRemaining: 64)
    let spanning = wal.append(WALReaderLayoutTests.bigCommit(xid: 5, subtransactions: 100))
    let page = LSN(rawValue: spanning.rawValue + 64)
    wal.patch(WALBytes.of(UInt16(0x0004)), at: LSN(rawValue: page.rawValue + 2))
    let outcome = try WALReadOutcome.read(wal)
    #expect(outcome.end.reason == .brokenContinuation("there is no contrecord flag at \(page)"))
    #expect(outcome.end.lsn == spanning)
  }

  @Test func continuationWithTheWrongRemainingLength() throws {
    var wal = Self.someRecords(pages: 1)
    wal.pad(toPageRemaining: 64)
    let spanning = wal.append(WALReaderLayoutTests.bigCommit(xid: 5, subtransactions: 100))
    let page = LSN(rawValue: spanning.rawValue + 64)
    let remaining = wal.records.last!.length - 64
    wal.patch(WALBytes.of(UInt32(remaining + 8)), at: LSN(rawValue: page.rawValue + 16))
    let outcome = try WALReadOutcome.read(wal)
    #expect(
      outcome.end.reason
        == .brokenContinuation(
          "invalid contrecord length \(remaining + 8) (expected \(remaining)) at \(page)"))
    #expect(outcome.end.lsn == spanning)
  }

  @Test func contrecordFlagWhereANewRecordShouldStart() throws {
    var wal = Self.someRecords(pages: 1)
    wal.pad(toPageRemaining: 64)
    let last = wal.append(.filler(totalLength: 64))
    wal.append(.commit(xid: 6, WALTransactionEndSpec(time: sampleTime)))
    let page = LSN(rawValue: last.rawValue + 64)
    // A flipped bit: the page claims to continue a record, with nothing remaining.
    wal.patch(WALBytes.of(UInt16(0x0005)), at: LSN(rawValue: page.rawValue + 2))
    let outcome = try WALReadOutcome.read(wal)
    #expect(outcome.lsns.last == last)
    let requested = LSN(rawValue: page.rawValue + 24)
    #expect(outcome.end.reason == .brokenContinuation("contrecord is requested by \(requested)"))
    #expect(outcome.end.lsn == requested)
  }

  @Test(arguments: 13...19)
  func overwrittenContinuationIsDroppedAndReadingGoesOn(major: Int) throws {
    var wal = Self.someRecords(major: major, pages: 1)
    let before = wal.append(.commit(xid: 7, WALTransactionEndSpec(time: sampleTime)))
    wal.pad(toPageRemaining: 200)
    let abandoned = wal.appendAbandoned(
      WALReaderLayoutTests.bigCommit(xid: 8, subtransactions: 300))
    let overwrite = wal.append(.overwriteContinuation(of: abandoned, time: sampleTime))
    let after = wal.append(.commit(xid: 9, WALTransactionEndSpec(time: sampleTime)))
    #expect(overwrite.rawValue % 8192 == 24)
    // xlp_info: XLP_BKP_REMOVABLE | XLP_FIRST_IS_OVERWRITE_CONTRECORD (0x0008) up to 18;
    // 19 dropped the first and renumbered the second to 0x0004.
    #expect(
      wal.bytes(at: LSN(rawValue: overwrite.rawValue - 22), count: 1) == [major >= 19 ? 0x04 : 0x0C])
    let outcome = try WALReadOutcome.read(wal)
    #expect(outcome.lsns == wal.records.map(\.lsn))
    #expect(!outcome.lsns.contains(abandoned))
    #expect(outcome.lsns.contains(before))
    #expect(outcome.lsns.suffix(2) == [overwrite, after])
    // The OVERWRITE_CONTRECORD record points back at the last complete record.
    let last = try #require(wal.records.last { $0.lsn < abandoned })
    #expect(outcome.records.last { $0.lsn < overwrite }?.lsn == last.lsn)
    let record = try #require(outcome.records.first { $0.lsn == overwrite })
    #expect(record.info == 0xD0)
    #expect(Array(record.bytes[26..<34]) == WALBytes.of(abandoned.rawValue))
    #expect(outcome.end.reason == .zeroLength)
  }

  @Test(arguments: [UInt32(0x7FFF_FFFF), UInt32(1020 << 20) + 1, UInt32.max])
  func recordLongerThanTheMaximum(length: UInt32) throws {
    var wal = Self.someRecords()
    let big = wal.append(.commit(xid: 10, WALTransactionEndSpec(time: sampleTime)))
    wal.patch(WALBytes.of(length), at: big)
    let outcome = try WALReadOutcome.read(wal)
    #expect(outcome.end.reason == .invalidRecord("record length \(length) is too long"))
    #expect(outcome.end.lsn == big)
    #expect(outcome.lsns == wal.records.dropLast().map(\.lsn))
  }

  @Test(arguments: [UInt32(1), 16, 23])
  func recordShorterThanItsHeader(length: UInt32) throws {
    var wal = Self.someRecords()
    let short = wal.append(.commit(xid: 10, WALTransactionEndSpec(time: sampleTime)))
    wal.patch(WALBytes.of(length), at: short)
    let outcome = try WALReadOutcome.read(wal)
    #expect(
      outcome.end.reason
        == .invalidRecord("invalid record length: expected at least 24, got \(length)"))
    #expect(outcome.end.lsn == short)
  }

  @Test(arguments: 13...19, [UInt8(22), 23, 127, 128, 255])
  func resourceManagerIDs(major: Int, id: UInt8) throws {
    var wal = Self.someRecords(major: major, pages: 1)
    let custom = wal.append(WALRecordSpec(resourceManager: id, info: 0, mainData: [1, 2, 3]))
    wal.append(.commit(xid: 11, WALTransactionEndSpec(time: sampleTime)))
    let outcome = try WALReadOutcome.read(wal)
    // 23–127 are never valid, 22 is XLOG2 from PostgreSQL 19; 128–255 are custom resource
    // managers from PostgreSQL 15.
    if (id >= 128 && major >= 15) || (id == 22 && major >= 19) {
      #expect(outcome.lsns == wal.records.map(\.lsn))
      #expect(outcome.records.first { $0.lsn == custom }?.event == nil)
      #expect(outcome.end.reason == .zeroLength)
    } else {
      #expect(outcome.end.reason == .invalidRecord("invalid resource manager ID \(id)"))
      #expect(outcome.end.lsn == custom)
    }
  }

  @Test func noSegmentAtAll() throws {
    let outcome = try WALReadOutcome.read([])
    #expect(outcome.records.isEmpty)
    #expect(outcome.end.lsn == .invalid)
  }

  @Test func firstFileShorterThanALongHeader() throws {
    let name = WALSegmentName(timeline: TimelineID(1), log: 0, seg: 1)
    let outcome = try WALReadOutcome.read([(name, [0x10, 0xD1, 0x06])])
    #expect(outcome.end.reason == .truncatedSegment(path: "memory/\(name)", bytes: 3))
  }
}
