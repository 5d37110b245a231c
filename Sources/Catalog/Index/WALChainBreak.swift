import PostgresVocabulary
import WAL

/// Where the chain of valid WAL records stops while a segment is read, and why: the first
/// record (or page) that does not decode. PostgreSQL's replay ends at the last valid record
/// before it, whatever follows in the archive.
///
/// Whether it is damage or the normal end of the WAL depends on what follows: a stop in the
/// last archived segment (zeros after the last record written) is the end of the WAL; a stop
/// with more archived WAL after it, or a file that cannot be read or is short, is damage.
public struct WALChainBreak: Hashable, Sendable, Codable {
  public enum Kind: String, Hashable, Sendable, Codable {
    /// A record of length zero: unwritten space.
    case zeros
    /// A record header that cannot be valid (its length, its resource manager).
    case recordHeader = "record-header"
    /// The record's `xl_prev` does not point at the record before it.
    case previousLink = "previous-link"
    /// The record's CRC-32C does not match its bytes.
    case checksum
    /// A page header that does not belong there (magic, page address, timeline, flags).
    case pageHeader = "page-header"
    /// A record continued on the next page that does not match it.
    case continuation
    /// The file (decompressed) is shorter than a segment.
    case truncated
    /// The file cannot be read or decompressed.
    case unreadable
  }

  /// Where valid WAL ends: the start of the record (or page) that does not decode, which is
  /// where the last valid record before it ends.
  public var lsn: LSN
  /// The segment whose bytes do not decode (the one after the summarised segment when the
  /// break is at their boundary).
  public var segment: WALSegmentName
  public var kind: Kind
  /// Why, in plain words ("record checksum (CRC-32C) mismatch").
  public var reason: String

  public init(lsn: LSN, segment: WALSegmentName, kind: Kind, reason: String) {
    self.lsn = lsn
    self.segment = segment
    self.kind = kind
    self.reason = reason
  }

  /// The break a reader's stop means, or `nil` when it only ran out of segments.
  init?(_ end: EndOfWAL, segment fallback: WALSegmentName, floor: LSN) {
    let kind: Kind
    switch end.reason {
    case .missingSegment: return nil
    case .truncatedSegment: kind = .truncated
    case .invalidPage: kind = .pageHeader
    case .zeroLength: kind = .zeros
    case .invalidRecord: kind = .recordHeader
    case .previousLinkMismatch: kind = .previousLink
    case .checksumMismatch: kind = .checksum
    case .brokenContinuation: kind = .continuation
    case .unreadable: kind = .unreadable
    }
    self.init(
      lsn: max(end.lsn, floor), segment: end.segment ?? fallback, kind: kind, reason: end.detail)
  }

  /// Whether the file itself is bad (short or unreadable): damage even in the last segment.
  public var isBadFile: Bool { kind == .truncated || kind == .unreadable }
}

/// A break in the chain of WAL records before the end of the archived WAL on a window's path:
/// the window ends there, and no target past it can be reached.
public struct WALDamage: Hashable, Sendable, Codable {
  /// The segment whose bytes do not decode, and its file.
  public var segment: WALSegmentName
  public var path: String
  /// Where valid WAL ends.
  public var lsn: LSN
  public var kind: WALChainBreak.Kind
  public var reason: String

  public init(segment: WALSegmentName, path: String, lsn: LSN, kind: WALChainBreak.Kind, reason: String) {
    self.segment = segment
    self.path = path
    self.lsn = lsn
    self.kind = kind
    self.reason = reason
  }

  /// "segment 000000010000000000000003 (/wal/000000010000000000000003.gz) is damaged at
  /// 0/3000110: record checksum (CRC-32C) mismatch".
  public var description: String {
    "segment \(segment) (\(path)) is damaged at \(lsn): \(reason)"
  }
}
