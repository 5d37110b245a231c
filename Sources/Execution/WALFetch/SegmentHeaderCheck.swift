import PostgresVocabulary
import WAL

/// Checks that the first bytes of a file are the long page header of the segment it is named
/// after, before recovery is given the file.
///
/// The checks (FORMATS.md §2.2, §2.5): the header is the long form, its magic is one pitr
/// knows, its flags are valid, its segment size is one PostgreSQL allows, `xlp_pageaddr` is
/// the named segment's start LSN, its timeline is not above the name's (a new timeline's
/// first segment keeps its parent's), and its system identifier is the expected one when
/// there is one.
struct SegmentHeaderCheck {
  /// The segment the file must hold.
  var segment: WALSegmentName
  /// The cluster's system identifier, when known.
  var expectedSystemIdentifier: UInt64?

  /// Checks the header at the start of `bytes`.
  ///
  /// - Parameters:
  ///   - bytes: The file's first bytes (at least 40, decompressed).
  ///   - file: The file's path, for the message.
  /// - Returns: The segment size the header gives, which the file's size must equal.
  /// - Throws: ``WALFetchError`` (``WALFetchError/Kind/damaged``) saying what is wrong.
  func check(_ bytes: some Collection<UInt8>, file: String) throws -> WALSegmentSize {
    func damaged(_ problem: String) -> WALFetchError {
      WALFetchError(.damaged, file: file, problem)
    }
    guard let header = WALPageHeader(bytes), let fields = header.segment else {
      throw damaged("does not start with a WAL segment's long page header (too short, or not WAL)")
    }
    guard let version = header.version else {
      throw damaged("unknown WAL page magic 0x\(String(header.magic, radix: 16, uppercase: true))")
    }
    guard header.info & ~version.validInfoMask == 0 else {
      throw damaged("invalid page flags 0x\(String(header.info, radix: 16, uppercase: true))")
    }
    guard let size = WALSegmentSize(rawValue: fields.segmentSize) else {
      throw damaged("invalid segment size \(fields.segmentSize) in the page header")
    }
    guard let range = segment.lsnRange(size: size) else {
      throw damaged("the name \(segment) does not fit \(size) segments")
    }
    guard header.pageAddress == range.lowerBound else {
      throw damaged(
        "xlp_pageaddr is \(header.pageAddress), but segment \(segment) starts at "
          + "\(range.lowerBound): the file holds another segment")
    }
    guard header.timeline <= segment.timeline else {
      throw damaged(
        "its first page is on timeline \(header.timeline), after the name's timeline "
          + "\(segment.timeline)")
    }
    if let expected = expectedSystemIdentifier, fields.systemIdentifier != expected {
      throw damaged(
        "it belongs to another cluster: system identifier \(fields.systemIdentifier), "
          + "expected \(expected)")
    }
    return size
  }
}
