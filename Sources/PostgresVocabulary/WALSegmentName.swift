/// The name of one WAL segment file: `TTTTTTTTLLLLLLLLSSSSSSSS`, 24 uppercase hex digits.
///
/// `T` is the timeline, `L` the "log" and `S` the "seg" part. Turning the pair into a segment
/// number or an LSN needs the cluster's segment size (segment number = L × 2^32/size + S),
/// so the name keeps the two parts as written and does that arithmetic only when given a
/// `WALSegmentSize`. Names order by timeline, then position, as the file names sort.
public struct WALSegmentName: Hashable, Comparable, Sendable, CustomStringConvertible {
  public var timeline: TimelineID
  /// The middle eight hex digits: segment number / segments per log.
  public var log: UInt32
  /// The last eight hex digits: segment number mod segments per log.
  public var seg: UInt32

  public init(timeline: TimelineID, log: UInt32, seg: UInt32) {
    self.timeline = timeline
    self.log = log
    self.seg = seg
  }

  /// The name of segment `number` on `timeline` for a cluster with segments of `size`.
  public init(timeline: TimelineID, segmentNumber number: UInt64, size: WALSegmentSize) {
    self.init(
      timeline: timeline, log: UInt32(number / size.segmentsPerLog),
      seg: UInt32(number % size.segmentsPerLog))
  }

  /// The segment holding the byte at `lsn` (a start pointer).
  public init(timeline: TimelineID, containing lsn: LSN, size: WALSegmentSize) {
    self.init(timeline: timeline, segmentNumber: size.segmentNumber(containing: lsn), size: size)
  }

  /// The segment an end pointer belongs to: one exactly on a boundary belongs to the
  /// segment before it (PostgreSQL's `XLByteToPrevSeg`).
  public init(timeline: TimelineID, endingAt lsn: LSN, size: WALSegmentSize) {
    self.init(timeline: timeline, segmentNumber: size.segmentNumber(endingAt: lsn), size: size)
  }

  /// Parses exactly 24 uppercase hex digits, as PostgreSQL's `IsXLogFileName` does.
  ///
  /// Returns `nil` for anything else: lowercase digits, other lengths, suffixes.
  public init?(_ text: some StringProtocol) {
    let utf8 = text.utf8
    let parsed = utf8.withContiguousStorageIfAvailable { Self.parse(UnsafeRawBufferPointer($0)) }
    guard let (timeline, log, seg) = parsed ?? Array(utf8).withUnsafeBytes(Self.parse) else {
      return nil
    }
    self.init(timeline: TimelineID(timeline), log: log, seg: seg)
  }

  /// Reads the three 8-digit parts of a 24-byte name, without copying it.
  private static func parse(_ bytes: UnsafeRawBufferPointer) -> (UInt32, UInt32, UInt32)? {
    guard bytes.count == 24,
      let timeline = HexDigits.parseUppercase(bytes[0..<8]),
      let log = HexDigits.parseUppercase(bytes[8..<16]),
      let seg = HexDigits.parseUppercase(bytes[16..<24])
    else { return nil }
    return (timeline, log, seg)
  }

  /// The 24-digit file name.
  public var description: String {
    timeline.fileNamePart + HexDigits.eightUppercase(log) + HexDigits.eightUppercase(seg)
  }

  // MARK: - Arithmetic with a segment size

  /// The segment number, or `nil` when the seg part is too large for that size (a name
  /// such as `…0000000100000100` cannot exist with 16 MiB segments).
  public func segmentNumber(size: WALSegmentSize) -> UInt64? {
    guard UInt64(seg) < size.segmentsPerLog else { return nil }
    return UInt64(log) * size.segmentsPerLog + UInt64(seg)
  }

  /// The LSNs the segment holds, or `nil` when the name does not fit the size. The range of
  /// the very last segment of the LSN space stops one byte short, at `FFFFFFFF/FFFFFFFF`.
  public func lsnRange(size: WALSegmentSize) -> Range<LSN>? {
    guard let number = segmentNumber(size: size) else { return nil }
    let start = size.startLSN(ofSegment: number).rawValue
    let (end, overflow) = start.addingReportingOverflow(size.bytes)
    return LSN(rawValue: start)..<LSN(rawValue: overflow ? UInt64.max : end)
  }

  /// The segment `distance` segments after this one on the same timeline, or `nil` when that
  /// is outside the LSN space or the name does not fit the size.
  public func advanced(by distance: Int64, size: WALSegmentSize) -> WALSegmentName? {
    guard let number = segmentNumber(size: size) else { return nil }
    let (target, overflow) =
      distance >= 0
      ? number.addingReportingOverflow(distance.magnitude)
      : number.subtractingReportingOverflow(distance.magnitude)
    guard !overflow, target <= size.lastSegmentNumber else { return nil }
    return WALSegmentName(timeline: timeline, segmentNumber: target, size: size)
  }

  public static func < (lhs: WALSegmentName, rhs: WALSegmentName) -> Bool {
    (lhs.timeline, lhs.log, lhs.seg) < (rhs.timeline, rhs.log, rhs.seg)
  }
}

extension WALSegmentName: Codable {
  /// Encoded as its 24-digit file name.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    let text = try container.decode(String.self)
    guard let name = WALSegmentName(text) else {
      throw DecodingError.dataCorruptedError(
        in: container, debugDescription: "'\(text)' is not a WAL segment name")
    }
    self = name
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(description)
  }
}
