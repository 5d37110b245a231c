import PostgresVocabulary
import Testing

@Suite struct WALSegmentNameTests {
  static let mib: UInt32 = 1 << 20

  static func size(_ mebibytes: UInt32) -> WALSegmentSize {
    WALSegmentSize(rawValue: mebibytes * mib)!
  }

  @Test(arguments: [
    (1 as UInt32, 4096 as UInt64), (16, 256), (64, 64), (1024, 4),
  ])
  func segmentsPerLog(mebibytes: UInt32, perLog: UInt64) {
    #expect(Self.size(mebibytes).segmentsPerLog == perLog)
  }

  @Test(arguments: [0, 1, 3 << 20, 512 << 10, 24 << 20, 2 << 30, UInt32.max])
  func refusesImpossibleSegmentSizes(bytes: UInt32) {
    #expect(WALSegmentSize(rawValue: bytes) == nil)
  }

  @Test func describesSizes() {
    #expect(WALSegmentSize.sixteenMiB.description == "16 MiB")
    #expect(Self.size(1024).description == "1 GiB")
  }

  /// The table of FORMATS.md §1.1: LSN 12/34567890 under three segment sizes.
  @Test(arguments: [
    (16 as UInt32, "000000010000001200000034", 0x56_7890 as UInt64),
    (64, "00000001000000120000000D", 0x56_7890),
    (1024, "000000010000001200000000", 0x3456_7890),
  ])
  func namesTheSegmentOfAnLSN(mebibytes: UInt32, name: String, offset: UInt64) throws {
    let size = Self.size(mebibytes)
    let lsn = try #require(LSN("12/34567890"))
    let segment = WALSegmentName(timeline: TimelineID(1), containing: lsn, size: size)
    #expect(segment.description == name)
    #expect(size.offset(of: lsn) == offset)
    let range = try #require(segment.lsnRange(size: size))
    #expect(range.contains(lsn))
    #expect(range.lowerBound.rawValue == lsn.rawValue - offset)
    #expect(range.upperBound.rawValue - range.lowerBound.rawValue == size.bytes)
  }

  @Test func segmentNumbersRoundTrip() throws {
    let size = WALSegmentSize.sixteenMiB
    for number: UInt64 in [0, 1, 255, 256, 257, 0x12_34, size.lastSegmentNumber] {
      let name = WALSegmentName(timeline: TimelineID(7), segmentNumber: number, size: size)
      let parsed = try #require(WALSegmentName(name.description))
      #expect(parsed == name)
      #expect(parsed.segmentNumber(size: size) == number)
    }
  }

  @Test func endPointersOnABoundaryBelongToThePreviousSegment() throws {
    let size = WALSegmentSize.sixteenMiB
    let boundary = try #require(LSN("0/3000000"))
    let tli = TimelineID(1)
    #expect(
      WALSegmentName(timeline: tli, containing: boundary, size: size).description
        == "000000010000000000000003")
    #expect(
      WALSegmentName(timeline: tli, endingAt: boundary, size: size).description
        == "000000010000000000000002")
    let inside = try #require(LSN("0/2000100"))
    #expect(
      WALSegmentName(timeline: tli, endingAt: inside, size: size).description
        == "000000010000000000000002")
    #expect(size.segmentNumber(endingAt: .invalid) == 0)
  }

  @Test(arguments: [
    "00000001000000000000000a", "00000001000000000000000", "0000000100000000000000020",
    "00000001000000000000000G", "000000010000000000000002.partial", "", " 00000001000000000000002",
    "+00000010000000000000002",
  ])
  func refusesNamesThatAreNotSegments(text: String) {
    #expect(WALSegmentName(text) == nil)
  }

  @Test func aSegPartTooLargeForTheSizeHasNoNumber() throws {
    let name = try #require(WALSegmentName("000000010000000000000100"))
    #expect(name.segmentNumber(size: .sixteenMiB) == nil)
    #expect(name.lsnRange(size: .sixteenMiB) == nil)
    #expect(name.segmentNumber(size: Self.size(1)) == 256)
  }

  @Test func sortsByTimelineThenPosition() throws {
    let names = [
      "000000020000000000000001", "000000010000000100000000", "0000000100000000000000FF",
    ]
    let sorted = try names.map { try #require(WALSegmentName($0)) }.sorted()
    #expect(sorted.map(\.description) == names.sorted())
  }

  @Test func advancesAcrossLogBoundaries() throws {
    let size = WALSegmentSize.sixteenMiB
    let last = try #require(WALSegmentName("0000000100000000000000FF"))
    #expect(last.advanced(by: 1, size: size)?.description == "000000010000000100000000")
    #expect(
      last.advanced(by: 1, size: size)?.advanced(by: -1, size: size) == last)
    let first = try #require(WALSegmentName("000000010000000000000000"))
    #expect(first.advanced(by: -1, size: size) == nil)
    let top = try #require(WALSegmentName("00000001FFFFFFFF000000FF"))
    #expect(top.advanced(by: 1, size: size) == nil)
    #expect(top.lsnRange(size: size)?.upperBound == LSN(rawValue: .max))
  }
}
