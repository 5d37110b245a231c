import PostgresVocabulary

/// The `backup_label` file of a base backup: where recovery of the backup starts.
///
/// ```
/// START WAL LOCATION: 0/2000028 (file 000000010000000000000002)
/// CHECKPOINT LOCATION: 0/2000060
/// BACKUP METHOD: streamed
/// BACKUP FROM: primary
/// START TIME: 2026-11-22 15:32:56 UTC
/// LABEL: bb tar
/// START TIMELINE: 1
/// ```
///
/// Only the two lines recovery cannot do without are required, as in PostgreSQL: START WAL
/// LOCATION and CHECKPOINT LOCATION. Unknown lines are ignored.
public struct BackupLabel: Hashable, Sendable {
  /// Which kind of server the backup was taken from.
  public enum Source: String, Hashable, Sendable {
    /// A primary (13 writes `master`); its backups end with a BACKUP_END record.
    case primary
    /// A standby: no BACKUP_END record and no backup history file.
    case standby
  }

  /// Where an incremental backup (17+) continues from.
  public struct IncrementalBase: Hashable, Sendable {
    public var lsn: LSN
    public var timeline: TimelineID

    public init(lsn: LSN, timeline: TimelineID) {
      self.lsn = lsn
      self.timeline = timeline
    }
  }

  /// START WAL LOCATION: the redo pointer of the backup's start checkpoint.
  public var startLSN: LSN
  /// The segment file named on the START WAL LOCATION line.
  public var startSegment: WALSegmentName
  /// CHECKPOINT LOCATION: where recovery reads the checkpoint record.
  public var checkpointLSN: LSN
  /// BACKUP METHOD: `streamed`, or `pg_start_backup` for 13/14 exclusive backups.
  public var method: String?
  /// BACKUP FROM; `primary` when the line is missing, as PostgreSQL assumes.
  public var source: Source
  /// START TIME, in the server's log time zone.
  public var startTime: BackupTimestamp?
  /// LABEL: the text given to pg_basebackup `-l` or `pg_backup_start()`.
  public var label: String?
  /// START TIMELINE, or the timeline of the start segment when the line is missing.
  public var startTimeline: TimelineID
  /// INCREMENTAL FROM LSN and TLI (17+), for incremental backups only.
  public var incrementalFrom: IncrementalBase?

  public init(
    startLSN: LSN, startSegment: WALSegmentName, checkpointLSN: LSN, method: String? = nil,
    source: Source = .primary, startTime: BackupTimestamp? = nil, label: String? = nil,
    startTimeline: TimelineID, incrementalFrom: IncrementalBase? = nil
  ) {
    self.startLSN = startLSN
    self.startSegment = startSegment
    self.checkpointLSN = checkpointLSN
    self.method = method
    self.source = source
    self.startTime = startTime
    self.label = label
    self.startTimeline = startTimeline
    self.incrementalFrom = incrementalFrom
  }

  /// Parses the text of a backup_label file.
  public init(parsing text: String) throws(CatalogFormatError) {
    try self.init(LabelLines(text, file: .backupLabel))
  }

  /// Reads the label lines, which a backup history file shares.
  init(_ lines: LabelLines) throws(CatalogFormatError) {
    (startLSN, startSegment, startTimeline) = try lines.walLocation("START")
    checkpointLSN = try lines.required("CHECKPOINT LOCATION", expected: LabelLines.lsnExpected) {
      LSN($0)
    }
    method = lines.text("BACKUP METHOD")
    source =
      try lines.optional("BACKUP FROM", expected: "'primary' or 'standby'") { value in
        value == "master" ? .primary : Source(rawValue: String(value))
      } ?? .primary
    startTime = lines.time("START TIME")
    label = lines.text("LABEL")
    incrementalFrom = try Self.incrementalBase(lines)
  }

  private static func incrementalBase(_ lines: LabelLines) throws(CatalogFormatError)
    -> IncrementalBase?
  {
    let lsnKey = "INCREMENTAL FROM LSN"
    let timelineKey = "INCREMENTAL FROM TLI"
    guard lines.contains(lsnKey) || lines.contains(timelineKey) else { return nil }
    return IncrementalBase(
      lsn: try lines.required(lsnKey, expected: LabelLines.lsnExpected) { LSN($0) },
      timeline: try lines.required(
        timelineKey, expected: LabelLines.timelineExpected, LabelLines.timeline))
  }
}
