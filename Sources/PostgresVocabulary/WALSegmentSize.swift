/// The size of a cluster's WAL segment files (`wal_segment_size`), fixed at `initdb`.
///
/// A power of two from 1 MiB to 1 GiB; 16 MiB unless `initdb --wal-segsize` said otherwise.
/// It cannot be derived from a file name: read it from `pg_control` or from the long page
/// header at the start of a segment.
public struct WALSegmentSize: RawRepresentable, Hashable, Comparable, Sendable,
  CustomStringConvertible
{
  /// The size in bytes.
  public let rawValue: UInt32

  /// Accepts only the sizes PostgreSQL allows: powers of two from 1 MiB to 1 GiB.
  public init?(rawValue: UInt32) {
    guard rawValue.nonzeroBitCount == 1, (1 << 20...1 << 30).contains(rawValue) else {
      return nil
    }
    self.rawValue = rawValue
  }

  /// The default, 16 MiB.
  public static let sixteenMiB = WALSegmentSize(rawValue: 16 << 20)!

  /// The size in bytes, as a 64-bit number for LSN arithmetic.
  public var bytes: UInt64 { UInt64(rawValue) }

  /// How many segments one "log" (the middle eight hex digits of a name) holds: 2^32 / size.
  public var segmentsPerLog: UInt64 { (1 << 32) / bytes }

  /// The number of the segment holding the byte at `lsn` (PostgreSQL's `XLByteToSeg`).
  public func segmentNumber(containing lsn: LSN) -> UInt64 { lsn.rawValue / bytes }

  /// The number of the segment an *end* pointer belongs to (`XLByteToPrevSeg`): an end that
  /// falls exactly on a segment boundary belongs to the segment before it. `0/0` gives 0.
  public func segmentNumber(endingAt lsn: LSN) -> UInt64 {
    lsn.rawValue == 0 ? 0 : (lsn.rawValue - 1) / bytes
  }

  /// The offset of `lsn` inside its segment file.
  public func offset(of lsn: LSN) -> UInt64 { lsn.rawValue & (bytes - 1) }

  /// The first LSN of a segment.
  public func startLSN(ofSegment number: UInt64) -> LSN {
    LSN(rawValue: number &* bytes)
  }

  /// The highest segment number there is: the segment ending at the top of the LSN space.
  public var lastSegmentNumber: UInt64 { UInt64.max / bytes }

  /// `16 MiB`, `1 GiB`.
  public var description: String {
    rawValue >= 1 << 30 ? "\(rawValue >> 30) GiB" : "\(rawValue >> 20) MiB"
  }

  public static func < (lhs: WALSegmentSize, rhs: WALSegmentSize) -> Bool {
    lhs.rawValue < rhs.rawValue
  }
}

extension WALSegmentSize: Codable {
  /// Encoded as the size in bytes.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    let bytes = try container.decode(UInt32.self)
    guard let size = WALSegmentSize(rawValue: bytes) else {
      throw DecodingError.dataCorruptedError(
        in: container, debugDescription: "\(bytes) is not a WAL segment size")
    }
    self = size
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(rawValue)
  }
}
