/// The name of a file in a WAL archive: a segment, a timeline history file or a backup
/// history file, with the suffixes archivers add.
///
/// Recognised forms (the compression suffix is any of `WALFileCompression`):
/// - `000000010000000A000000FF`, `….partial`, `….gz`, `….gz.partial` (pg_receivewal),
///   `….partial.gz` (a compressing `archive_command` given a `.partial` file);
/// - `00000002.history`, `00000002.history.gz`;
/// - `00000001000000000000000D.00000060.backup`, `….backup.gz`.
///
/// Anything else, including lowercase hex and wrong lengths, is not a WAL file name and
/// `init?(_:)` returns `nil`.
public struct WALFileName: Hashable, Sendable, CustomStringConvertible {
  /// What the file holds.
  public enum Kind: Hashable, Sendable {
    /// A WAL segment.
    case segment(WALSegmentName)
    /// `<TLI>.history`: the ancestry of a timeline.
    case timelineHistory(TimelineID)
    /// `<stop TLI + start segment>.<start offset>.backup`: written when a backup stops.
    case backupHistory(WALSegmentName, startOffset: UInt32)
  }

  public let kind: Kind
  /// The compression the suffix names, if any.
  public let compression: WALFileCompression?
  /// Whether the name says the segment is incomplete (`.partial`); recovery never reads it.
  public let isPartial: Bool
  /// Everything after the name proper, as written: `""`, `.partial`, `.gz.partial`.
  public let suffix: String

  /// A name with the suffixes pg_receivewal would write (compression, then `.partial`).
  ///
  /// `isPartial` is ignored for anything but a segment.
  public init(_ kind: Kind, compression: WALFileCompression? = nil, isPartial: Bool = false) {
    let partial: Bool
    if case .segment = kind { partial = isPartial } else { partial = false }
    self.kind = kind
    self.compression = compression
    self.isPartial = partial
    self.suffix = (compression.map { "." + $0.fileExtension } ?? "") + (partial ? ".partial" : "")
  }

  /// Parses a file name (no directories); `nil` when it is not a WAL archive file.
  public init?(_ text: some StringProtocol) {
    // The usual names of a large archive, a bare or gzip'd segment, without splitting.
    let length = text.utf8.count
    if length == 24 || (length == 27 && text.hasSuffix(".gz")) {
      if let segment = WALSegmentName(text.prefix(24)) {
        self.kind = .segment(segment)
        self.compression = length == 27 ? .gzip : nil
        self.isPartial = false
        self.suffix = length == 27 ? ".gz" : ""
        return
      }
      if length == 24 { return nil }
    }
    let parts = Substring(text).split(separator: ".", omittingEmptySubsequences: false)
    guard let first = parts.first else { return nil }
    let kind: Kind
    let suffixStart: Int
    if parts.count >= 2, parts[1] == "history", first.utf8.count == 8,
      let timeline = HexDigits.parseUppercase(ArraySlice(first.utf8))
    {
      kind = .timelineHistory(TimelineID(timeline))
      suffixStart = 2
    } else if let segment = WALSegmentName(first) {
      if parts.count >= 3, parts[2] == "backup", parts[1].utf8.count == 8,
        let offset = HexDigits.parseUppercase(ArraySlice(parts[1].utf8))
      {
        kind = .backupHistory(segment, startOffset: offset)
        suffixStart = 3
      } else {
        kind = .segment(segment)
        suffixStart = 1
      }
    } else {
      return nil
    }
    guard let (compression, isPartial) = WALFileName.suffixes(parts[suffixStart...]),
      !isPartial || suffixStart == 1
    else { return nil }
    self.kind = kind
    self.compression = compression
    self.isPartial = isPartial
    self.suffix = parts[suffixStart...].map { "." + $0 }.joined()
  }

  /// Reads at most one compression suffix and at most one `partial`, in either order.
  private static func suffixes(
    _ parts: ArraySlice<Substring>
  ) -> (WALFileCompression?, Bool)? {
    var compression: WALFileCompression?
    var isPartial = false
    for part in parts {
      if part == "partial", !isPartial {
        isPartial = true
      } else if compression == nil, let found = WALFileCompression(rawValue: String(part)) {
        compression = found
      } else {
        return nil
      }
    }
    return (compression, isPartial)
  }

  /// The name without its suffixes: `000000010000000000000002`, `00000002.history`.
  public var baseName: String {
    switch kind {
    case .segment(let segment): segment.description
    case .timelineHistory(let timeline): timeline.fileNamePart + ".history"
    case .backupHistory(let segment, let offset):
      "\(segment).\(HexDigits.eightUppercase(offset)).backup"
    }
  }

  /// The full file name, suffixes included, as it was written.
  public var description: String { baseName + suffix }

  /// The segment a segment file holds, if this is one.
  public var segment: WALSegmentName? {
    if case .segment(let segment) = kind { segment } else { nil }
  }

  /// For a backup history file, the backup's START WAL LOCATION: the named segment's start
  /// plus the offset. `nil` for other files or a name that does not fit `size`.
  public func backupStartLSN(size: WALSegmentSize) -> LSN? {
    guard case .backupHistory(let segment, let offset) = kind,
      UInt64(offset) < size.bytes,
      let range = segment.lsnRange(size: size)
    else { return nil }
    return LSN(rawValue: range.lowerBound.rawValue + UInt64(offset))
  }
}
