import PostgresVocabulary

/// What the WAL archive holds: its segments per timeline with their gaps, the timeline
/// history files and the backup history files, found at any depth under the archive folders.
public struct WALArchive: Hashable, Sendable, Codable {
  /// The folders scanned.
  public var directories: [String]
  /// The segment size, from the segments' long page headers.
  public var segmentSize: WALSegmentSize?
  /// The PostgreSQL major version the segments' page magic names.
  public var majorVersion: Int?
  /// The system identifier in the segments' headers.
  public var systemIdentifier: UInt64?
  /// Complete segments recovery can use, one per name, ordered by timeline and position.
  public var segments: [ArchivedSegment]
  /// `.partial` segments: listed, but recovery never reads them.
  public var partialSegments: [ArchivedSegment]
  /// `.history` files that parsed, by timeline.
  public var historyFiles: [ArchivedHistoryFile]
  /// `.backup` files that parsed.
  public var backupHistoryFiles: [ArchivedBackupHistory]
  /// Per timeline: which segments are there and which are missing between them.
  public var timelines: [TimelineSegments]
  /// Segments left out because their headers name another cluster than `systemIdentifier`
  /// (the most common one), `.partial` ones included; `nil` when there are none.
  public var otherClusterSegments: [ArchivedSegment]?
  /// Files named like complete segments that cannot be used: unreadable, not WAL, or
  /// shorter than a segment; `nil` when there are none. A window that reaches one ends there,
  /// damaged.
  public var unusableSegments: [UnusableSegment]?

  public init(
    directories: [String], segmentSize: WALSegmentSize?, majorVersion: Int?,
    systemIdentifier: UInt64?, segments: [ArchivedSegment], partialSegments: [ArchivedSegment],
    historyFiles: [ArchivedHistoryFile], backupHistoryFiles: [ArchivedBackupHistory],
    timelines: [TimelineSegments], otherClusterSegments: [ArchivedSegment]? = nil,
    unusableSegments: [UnusableSegment]? = nil
  ) {
    self.directories = directories
    self.segmentSize = segmentSize
    self.majorVersion = majorVersion
    self.systemIdentifier = systemIdentifier
    self.segments = segments
    self.partialSegments = partialSegments
    self.historyFiles = historyFiles
    self.backupHistoryFiles = backupHistoryFiles
    self.timelines = timelines
    self.otherClusterSegments = otherClusterSegments
    self.unusableSegments = unusableSegments
  }

}

/// One archived segment file.
public struct ArchivedSegment: Hashable, Sendable, Codable {
  public var name: WALSegmentName
  public var path: String
  /// The file's size on disk (compressed, when it is).
  public var size: Int64
  /// Its modification time, in nanoseconds since 1970 (with the size, what the cache keys on).
  public var modified: Int64
  /// `none` or `gzip`, from the file's first bytes.
  public var compression: String
  public var header: SegmentHeader
  /// The store's version of the file (an S3 ETag), `nil` for a file on this machine.
  public var version: String? = nil
}

/// A file named like a complete segment that recovery could not use.
public struct UnusableSegment: Hashable, Sendable, Codable {
  public var name: WALSegmentName
  public var path: String
  /// Why, in plain words.
  public var reason: String
  /// Whether it is shorter than a segment (else it cannot be read as WAL at all).
  public var isShort: Bool
}

/// A parsed `.history` file.
public struct ArchivedHistoryFile: Hashable, Sendable, Codable {
  /// The timeline it describes.
  public var timeline: TimelineID
  public var path: String
  /// Its ancestors, oldest first: each one's timeline and where the next one forked from it.
  public var entries: [Entry]

  public struct Entry: Hashable, Sendable, Codable {
    public var timeline: TimelineID
    public var switchLSN: LSN
    public var reason: String
  }

  /// The timeline this one forked from, and where.
  public var parent: Entry? { entries.last }
}

/// A parsed `.backup` file: where and when a backup started and stopped.
public struct ArchivedBackupHistory: Hashable, Sendable, Codable {
  public var path: String
  public var startLSN: LSN
  public var stopLSN: LSN
  public var startTimeline: TimelineID
  public var stopTimeline: TimelineID
  /// As PostgreSQL wrote them (in the server's log_timezone).
  public var startTime: String?
  public var stopTime: String?
  public var label: String?
}

/// The segments of one timeline: contiguous runs, and the holes between them.
public struct TimelineSegments: Hashable, Sendable, Codable {
  public var timeline: TimelineID
  public var count: Int
  public var ranges: [SegmentRange]
  public var gaps: [SegmentRange]

  public var first: WALSegmentName? { ranges.first?.first }
  public var last: WALSegmentName? { ranges.last?.last }
}

/// Segments `first` to `last` on one timeline, `count` of them.
public struct SegmentRange: Hashable, Sendable, Codable {
  public var first: WALSegmentName
  public var last: WALSegmentName
  public var count: UInt64
}

extension ArchivedSegment {
  /// The file as the cache knows it.
  var file: ScannedFile { ScannedFile(path: path, size: size, modified: modified) }
}
