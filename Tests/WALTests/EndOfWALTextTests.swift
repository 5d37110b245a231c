import Foundation
import PostgresVocabulary
import Testing
import WAL
import _PITRTestSupport

/// The sentence a user sees when WAL ends (`EndOfWAL.description`), for every reason, reached
/// the way `WALReaderEndTests` reaches them: synthetic segments, with headers or records
/// patched where a test needs them broken.
@Suite struct EndOfWALTextTests {
  static let first = "000000010000000000000001"
  static let second = "000000010000000000000002"

  /// The LSN of page `index` of the first segment (1 MiB segments, 8 KiB pages).
  static func page(_ index: Int) -> LSN { LSN(rawValue: (1 << 20) + UInt64(index * 8192)) }

  static func lsn(_ raw: UInt64) -> LSN { LSN(rawValue: raw) }

  /// Page 0 filled exactly to its end, then one commit on page 1: page 1 starts with no
  /// continuation, so a broken page 1 header ends the WAL at page 1 itself (0/102000).
  static func twoPages(timeline: UInt32 = 1) -> WALSegmentBuilder {
    var wal = WALSegmentBuilder(major: 16, timeline: TimelineID(timeline))
    wal.append(.commit(xid: 1, WALTransactionEndSpec(time: sampleTime)))
    wal.pad(toPageRemaining: 24)
    wal.append(.filler(totalLength: 24))
    let onPageOne = wal.append(.commit(xid: 2, WALTransactionEndSpec(time: sampleTime)))
    precondition(onPageOne == LSN(rawValue: page(1).rawValue + 24))
    return wal
  }

  /// Segment 1 filled exactly to its end, then one commit in segment 2 (at 0/200028).
  static func twoSegments() -> WALSegmentBuilder {
    var wal = WALSegmentBuilder(major: 16)
    wal.append(.commit(xid: 1, WALTransactionEndSpec(time: sampleTime)))
    wal.pad(toSegmentRemaining: 48)
    wal.append(.filler(totalLength: 48))
    let inSegmentTwo = wal.append(.commit(xid: 2, WALTransactionEndSpec(time: sampleTime)))
    precondition(inSegmentTwo == LSN(rawValue: (2 << 20) + 40))
    return wal
  }

  static func text(_ wal: WALSegmentBuilder) throws -> String {
    try WALReadOutcome.read(wal).end.description
  }

  // MARK: - missingSegment

  @Test func missingSegment() throws {
    let wal = Self.twoSegments()
    let outcome = try WALReadOutcome.read(Array(wal.segmentFiles().prefix(1)))
    #expect(
      outcome.end.description
        == "end of WAL at 0/200000: segment 000000010000000000000002 is not available")
  }

  // MARK: - truncatedSegment

  @Test func firstFileShorterThanALongHeader() throws {
    let name = WALSegmentName(Self.first)!
    let outcome = try WALReadOutcome.read([(name, [0x10, 0xD1, 0x06])])
    #expect(
      outcome.end.description
        == "end of WAL at 0/0 (segment 000000010000000000000001): "
        + "memory/000000010000000000000001 ends after 3 bytes")
  }

  @Test func fileEndingInsideAPage() throws {
    let wal = Self.twoPages()
    let (name, bytes) = wal.segmentFiles()[0]
    let outcome = try WALReadOutcome.read([(name, Array(bytes.prefix(8192 + 100)))])
    #expect(
      outcome.end.description
        == "end of WAL at 0/102000 (segment 000000010000000000000001): "
        + "memory/000000010000000000000001 ends after 8292 bytes")
  }

  // MARK: - zeroLength

  @Test func zeroLength() throws {
    var wal = WALSegmentBuilder(major: 16)
    wal.append(.commit(xid: 1, WALTransactionEndSpec(time: sampleTime)))
    wal.pad(toPageRemaining: 200)
    // The next record would start 200 bytes before the end of page 0: 0/101F38.
    #expect(wal.insertLSN == Self.lsn(0x101F38))
    #expect(
      try Self.text(wal)
        == "end of WAL at 0/101F38 (segment 000000010000000000000001): no record follows "
        + "(zero length)")
  }

  // MARK: - invalidRecord

  @Test func recordShorterThanItsHeader() throws {
    var wal = Self.twoPages()
    let short = wal.append(.commit(xid: 3, WALTransactionEndSpec(time: sampleTime)))
    wal.patch(WALBytes.of(UInt32(16)), at: short)
    #expect(
      try Self.text(wal)
        == "end of WAL at \(short) (segment 000000010000000000000001): invalid record length: "
        + "expected at least 24, got 16")
  }

  @Test func recordLongerThanTheMaximum() throws {
    var wal = Self.twoPages()
    let long = wal.append(.commit(xid: 3, WALTransactionEndSpec(time: sampleTime)))
    wal.patch(WALBytes.of(UInt32.max), at: long)
    #expect(
      try Self.text(wal)
        == "end of WAL at \(long) (segment 000000010000000000000001): record length 4294967295 "
        + "is too long")
  }

  @Test func invalidResourceManager() throws {
    var wal = Self.twoPages()
    let custom = wal.append(WALRecordSpec(resourceManager: 22, info: 0, mainData: [1, 2, 3]))
    #expect(
      try Self.text(wal)
        == "end of WAL at \(custom) (segment 000000010000000000000001): invalid resource "
        + "manager ID 22")
  }

  // MARK: - previousLinkMismatch and checksumMismatch

  @Test func previousLinkMismatch() throws {
    var wal = Self.twoPages()
    let last = wal.previousLSN
    let stale = wal.append(
      .commit(xid: 3, WALTransactionEndSpec(time: sampleTime)), previous: Self.lsn(0xDEAD0))
    #expect(
      try Self.text(wal)
        == "end of WAL at \(stale) (segment 000000010000000000000001): record points back to "
        + "0/DEAD0, not \(last)")
  }

  @Test func checksumMismatch() throws {
    var wal = Self.twoPages()
    let bad = wal.append(.restorePoint(name: "x", time: sampleTime), corruptCRC: true)
    #expect(
      try Self.text(wal)
        == "end of WAL at \(bad) (segment 000000010000000000000001): record checksum (CRC-32C) "
        + "mismatch")
  }

  // MARK: - brokenContinuation

  @Test func continuationWithoutTheContrecordFlag() throws {
    var wal = Self.twoPages()
    wal.pad(toPageRemaining: 64)
    let spanning = wal.append(WALReaderLayoutTests.bigCommit(xid: 5, subtransactions: 100))
    let page = Self.lsn(spanning.rawValue + 64)
    #expect(page == Self.page(2))
    wal.patch(WALBytes.of(UInt16(0x0004)), at: Self.lsn(page.rawValue + 2))
    #expect(
      try Self.text(wal)
        == "end of WAL at \(spanning) (segment 000000010000000000000001): there is no contrecord "
        + "flag at 0/104000")
  }

  @Test func continuationWithTheWrongRemainingLength() throws {
    var wal = Self.twoPages()
    wal.pad(toPageRemaining: 64)
    let spanning = wal.append(WALReaderLayoutTests.bigCommit(xid: 5, subtransactions: 100))
    let remaining = wal.records.last!.length - 64
    wal.patch(WALBytes.of(UInt32(remaining + 8)), at: Self.lsn(Self.page(2).rawValue + 16))
    #expect(
      try Self.text(wal)
        == "end of WAL at \(spanning) (segment 000000010000000000000001): invalid contrecord "
        + "length \(remaining + 8) (expected \(remaining)) at 0/104000")
  }

  @Test func contrecordFlagWhereANewRecordShouldStart() throws {
    var wal = Self.twoPages()
    // Page 1 filled to its end, then a record on page 2, whose header claims a continuation.
    wal.pad(toPageRemaining: 64)
    wal.append(.filler(totalLength: 64))
    wal.append(.commit(xid: 6, WALTransactionEndSpec(time: sampleTime)))
    wal.patch(WALBytes.of(UInt16(0x0005)), at: Self.lsn(Self.page(2).rawValue + 2))
    #expect(
      try Self.text(wal)
        == "end of WAL at 0/104018 (segment 000000010000000000000001): contrecord is requested "
        + "by 0/104018")
  }

  // MARK: - unreadable

  /// A provider that fails on its `failing`th call (0 for the first segment).
  struct FailingProvider: WALSegmentProvider {
    struct Failure: Error, CustomStringConvertible {
      var description: String { "cannot open memory/segment: Permission denied" }
    }

    var inner: WALMemorySegments
    var failing: Int
    var calls = 0

    mutating func segment(number: UInt64?, size: WALSegmentSize?) throws -> WALSegmentFile? {
      defer { calls += 1 }
      if calls == failing { throw Failure() }
      return try inner.segment(number: number, size: size)
    }
  }

  @Test func firstSegmentCannotBeOpened() throws {
    let provider = FailingProvider(inner: WALMemorySegments(Self.twoSegments().segmentFiles()), failing: 0)
    let outcome = try WALReadOutcome.read(provider: provider)
    #expect(outcome.end.description == "end of WAL at 0/0: cannot open memory/segment: Permission denied")
  }

  @Test func nextSegmentCannotBeOpened() throws {
    let provider = FailingProvider(inner: WALMemorySegments(Self.twoSegments().segmentFiles()), failing: 1)
    let outcome = try WALReadOutcome.read(provider: provider)
    #expect(
      outcome.end.description == "end of WAL at 0/200000: cannot open memory/segment: Permission denied")
  }

  @Test func gzipCutBeforeTheFirstHeader() throws {
    let directory = try TemporaryDirectory("wal-text-gz")
    defer { directory.remove() }
    let wal = Self.twoPages()
    let files = try wal.write(to: directory.path, compressed: true)
    let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: files[0].path)))
    try Data(bytes.prefix(20)).write(to: URL(fileURLWithPath: files[0].path))
    let outcome = try WALReadOutcome.read(files: files)
    #expect(
      outcome.end.description
        == "end of WAL at 0/0 (segment 000000010000000000000001): gzip stream truncated at byte "
        + "20 of \(files[0].path)")
  }

  // MARK: - invalidPage: the first segment (WALReader.openFirstSegment)

  @Test func noSegmentAtAll() throws {
    let outcome = try WALReadOutcome.read([])
    #expect(outcome.end.description == "end of WAL at 0/0: no WAL segment to read")
  }

  @Test func firstPageWithoutALongHeader() throws {
    var wal = Self.twoPages()
    wal.patch(WALBytes.of(UInt16(0x0004)), at: Self.lsn(Self.page(0).rawValue + 2))
    #expect(
      try Self.text(wal)
        == "end of WAL at 0/0 (segment 000000010000000000000001): "
        + "memory/000000010000000000000001 does not start with a long page header")
  }

  @Test func firstPageWithAnUnknownMagic() throws {
    var wal = Self.twoPages()
    wal.patch(WALBytes.of(UInt16(0xD0FF)), at: Self.page(0))
    #expect(
      try Self.text(wal)
        == "end of WAL at 0/100000 (segment 000000010000000000000001): unknown WAL page magic "
        + "0xD0FF in memory/000000010000000000000001: not PostgreSQL 13 to 19")
  }

  @Test func impossibleSegmentSize() throws {
    var wal = Self.twoPages()
    wal.patch(WALBytes.of(UInt32(12345)), at: Self.lsn(Self.page(0).rawValue + 32))
    #expect(
      try Self.text(wal)
        == "end of WAL at 0/100000 (segment 000000010000000000000001): "
        + "memory/000000010000000000000001: impossible segment size 12345 or block size 8192")
  }

  @Test func impossibleBlockSize() throws {
    var wal = Self.twoPages()
    wal.patch(WALBytes.of(UInt32(1000)), at: Self.lsn(Self.page(0).rawValue + 36))
    #expect(
      try Self.text(wal)
        == "end of WAL at 0/100000 (segment 000000010000000000000001): "
        + "memory/000000010000000000000001: impossible segment size 1048576 or block size 1000")
  }

  // MARK: - invalidPage: a later page (WALReader.problem(with:…))

  @Test func invalidMagicNumberMidStream() throws {
    var wal = Self.twoPages()
    wal.patch(WALBytes.of(UInt16(0xD10D)), at: Self.page(1))
    #expect(
      try Self.text(wal)
        == "end of WAL at 0/102000 (segment 000000010000000000000001): invalid magic number D10D "
        + "in WAL segment 000000010000000000000001, LSN 0/102000")
  }

  @Test func invalidInfoBits() throws {
    var wal = Self.twoPages()
    wal.patch(WALBytes.of(UInt16(0x0014)), at: Self.lsn(Self.page(1).rawValue + 2))
    #expect(
      try Self.text(wal)
        == "end of WAL at 0/102000 (segment 000000010000000000000001): invalid info bits 14 in "
        + "WAL segment 000000010000000000000001, LSN 0/102000")
  }

  @Test func unexpectedPageAddress() throws {
    var wal = Self.twoPages()
    wal.patch(WALBytes.of(UInt64(0x2000)), at: Self.lsn(Self.page(1).rawValue + 8))
    #expect(
      try Self.text(wal)
        == "end of WAL at 0/102000 (segment 000000010000000000000001): unexpected pageaddr "
        + "0/2000 in WAL segment 000000010000000000000001, LSN 0/102000")
  }

  @Test func noLongHeaderAtTheStartOfTheNextSegment() throws {
    var wal = Self.twoSegments()
    wal.patch(WALBytes.of(UInt16(0x0004)), at: Self.lsn((2 << 20) + 2))
    #expect(
      try Self.text(wal)
        == "end of WAL at 0/200000 (segment 000000010000000000000002): no long page header at "
        + "the start of WAL segment 000000010000000000000002")
  }

  @Test func nextSegmentFromAnotherCluster() throws {
    var wal = Self.twoSegments()
    wal.patch(WALBytes.of(UInt64(42)), at: Self.lsn((2 << 20) + 24))
    #expect(
      try Self.text(wal)
        == "end of WAL at 0/200000 (segment 000000010000000000000002): WAL segment "
        + "000000010000000000000002 is from another cluster (system identifier 42)")
  }

  @Test(arguments: [(32, UInt32(2 << 20)), (36, UInt32(4096))])
  func nextSegmentWithAnotherSegmentOrBlockSize(offset: Int, value: UInt32) throws {
    var wal = Self.twoSegments()
    wal.patch(WALBytes.of(value), at: Self.lsn((2 << 20) + UInt64(offset)))
    #expect(
      try Self.text(wal)
        == "end of WAL at 0/200000 (segment 000000010000000000000002): WAL segment "
        + "000000010000000000000002 has another segment or block size")
  }

  @Test func unexpectedLongPageHeader() throws {
    var wal = Self.twoPages()
    wal.patch(WALBytes.of(UInt16(0x0006)), at: Self.lsn(Self.page(1).rawValue + 2))
    #expect(
      try Self.text(wal)
        == "end of WAL at 0/102000 (segment 000000010000000000000001): unexpected long page "
        + "header in WAL segment 000000010000000000000001, LSN 0/102000")
  }

  @Test func outOfSequenceTimeline() throws {
    var wal = Self.twoPages(timeline: 2)
    wal.patch(WALBytes.of(UInt32(1)), at: Self.lsn(Self.page(1).rawValue + 4))
    #expect(
      try Self.text(wal)
        == "end of WAL at 0/102000 (segment 000000020000000000000001): out-of-sequence timeline "
        + "ID 1 (after 2) in WAL segment 000000020000000000000001, LSN 0/102000")
  }

  @Test func pageOfANewerTimelineThanTheFileName() throws {
    var wal = Self.twoPages()
    wal.patch(WALBytes.of(UInt32(2)), at: Self.lsn(Self.page(1).rawValue + 4))
    #expect(
      try Self.text(wal)
        == "end of WAL at 0/102000 (segment 000000010000000000000001): page of timeline 2 in WAL "
        + "segment 000000010000000000000001, LSN 0/102000")
  }

  @Test func endOfTheAddressSpace() throws {
    let size = WALSegmentSize(rawValue: 1 << 20)!
    var wal = WALSegmentBuilder(major: 16, startSegment: size.lastSegmentNumber)
    wal.pad(toSegmentRemaining: 64)
    wal.append(.filler(totalLength: 64))
    #expect(
      try Self.text(wal)
        == "end of WAL at FFFFFFFF/FFFFFFFF (segment 00000001FFFFFFFF00000FFF): end of the WAL "
        + "address space")
  }
}
