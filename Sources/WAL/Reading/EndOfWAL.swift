import PostgresVocabulary

/// Why reading stopped, and where: the end of valid WAL is a normal event, not an error.
public struct EndOfWAL: Hashable, Sendable, CustomStringConvertible {
  public enum Reason: Hashable, Sendable {
    /// No file for the next segment.
    case missingSegment(WALSegmentName)
    /// The segment file ended before its last page.
    case truncatedSegment(path: String, bytes: Int)
    /// A page header that does not belong here (zeroed, recycled, another timeline, …).
    case invalidPage(String)
    /// A record header of length zero: the rest of the page is unwritten.
    case zeroLength
    /// A record header that cannot be valid (length, resource manager).
    case invalidRecord(String)
    /// The record's `xl_prev` does not point at the record before it.
    case previousLinkMismatch(expected: LSN, found: LSN)
    /// The record's CRC-32C does not match its bytes.
    case checksumMismatch
    /// A continuation that does not match the record it should continue.
    case brokenContinuation(String)
    /// A file could not be read (I/O error, corrupt compression).
    case unreadable(String)
  }

  public var reason: Reason
  /// Where valid WAL ends: the start of the record (or page) that failed.
  public var lsn: LSN
  /// The segment being read, when known.
  public var segment: WALSegmentName?

  public var description: String {
    let place = "at \(lsn)" + (segment.map { " (segment \($0))" } ?? "")
    return "end of WAL \(place): \(detail)"
  }

  /// Why reading stopped, in plain words, without the place ("record checksum (CRC-32C)
  /// mismatch").
  public var detail: String {
    switch reason {
    case .missingSegment(let name): return "segment \(name) is not available"
    case .truncatedSegment(let path, let bytes): return "\(path) ends after \(bytes) bytes"
    case .invalidPage(let detail): return detail
    case .zeroLength: return "no record follows (zero length)"
    case .invalidRecord(let detail): return detail
    case .previousLinkMismatch(let expected, let found):
      return "record points back to \(found), not \(expected)"
    case .checksumMismatch: return "record checksum (CRC-32C) mismatch"
    case .brokenContinuation(let detail): return detail
    case .unreadable(let detail): return detail
    }
  }
}
