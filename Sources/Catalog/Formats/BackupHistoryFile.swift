import PostgresVocabulary

/// A backup history file (`00000001000000000000000D.00000060.backup`): the backup_label
/// lines plus where and when the backup stopped.
///
/// ```
/// START WAL LOCATION: 0/2000028 (file 000000010000000000000002)
/// STOP WAL LOCATION: 0/2000100 (file 000000010000000000000002)
/// CHECKPOINT LOCATION: 0/2000060
/// …the other backup_label lines…
/// STOP TIME: 2026-11-22 15:32:56 UTC
/// STOP TIMELINE: 1
/// ```
///
/// Only backups started on a primary write one, when they stop; the archive keeps it.
public struct BackupHistoryFile: Hashable, Sendable {
  /// The lines the file shares with the backup's backup_label.
  public var backupLabel: BackupLabel
  /// STOP WAL LOCATION: the end of the BACKUP_END record, where the backup is consistent.
  public var stopLSN: LSN
  /// The segment named on the STOP WAL LOCATION line (13–15 name the previous segment when
  /// the stop LSN is on a segment boundary; 16+ the segment the LSN is in).
  public var stopSegment: WALSegmentName
  /// STOP TIME, in the server's log time zone.
  public var stopTime: BackupTimestamp?
  /// STOP TIMELINE, or the timeline of the stop segment when the line is missing.
  public var stopTimeline: TimelineID

  public init(
    backupLabel: BackupLabel, stopLSN: LSN, stopSegment: WALSegmentName,
    stopTime: BackupTimestamp? = nil, stopTimeline: TimelineID
  ) {
    self.backupLabel = backupLabel
    self.stopLSN = stopLSN
    self.stopSegment = stopSegment
    self.stopTime = stopTime
    self.stopTimeline = stopTimeline
  }

  /// Parses the text of a backup history file.
  public init(parsing text: String) throws(CatalogFormatError) {
    let lines = LabelLines(text, file: .backupHistoryFile)
    backupLabel = try BackupLabel(lines)
    (stopLSN, stopSegment, stopTimeline) = try lines.walLocation("STOP")
    stopTime = lines.time("STOP TIME")
  }
}
