import PostgresVocabulary

/// The range of targets recovery can reach from one backup along one timeline: from the
/// backup's consistent point to the end of continuous WAL on the timeline's path.
public struct RestorableWindow: Hashable, Sendable, Codable {
  public enum Status: String, Hashable, Sendable, Codable {
    /// WAL reaches the consistent point and goes on to `end`.
    case restorable
    /// WAL is missing or damaged before the backup is consistent: nothing can be restored
    /// this way.
    case incomplete
    /// The backup's end is unknown (no `.backup` file, manifest or end point), so the
    /// window starts at an unknown place; the stop point is the start as a lower bound.
    case endUnknown = "end-unknown"
  }

  public var backupID: String
  /// The timeline recovery follows (`recovery_target_timeline`).
  public var timeline: TimelineID
  public var status: Status
  /// Where the backup is consistent: the earliest target.
  public var start: LSN
  /// When the backup stopped: its `stop.time` (with a numeric offset, or as written when
  /// its zone is unknown).
  public var startTime: String?
  /// Where continuous WAL on the timeline's path ends: the end of its last segment (the last
  /// record lies before it), or where valid WAL ends when a damaged segment ends the window.
  public var end: LSN
  /// The last segment of continuous WAL.
  public var lastSegment: WALSegmentName?
  /// The segment whose absence ends the window (`nil` when it ends at the newest segment).
  public var firstMissingSegment: WALSegmentName?
  /// The break in the chain of records that ends the window before the end of the archived
  /// WAL (`nil` when there is none): `end` is then where valid WAL ends, inside a segment.
  public var damage: WALDamage?
  /// The last commit or abort before `end`: the latest a time or xid target can reach.
  /// `nil` when the window's WAL holds none (or could not be read).
  public var lastTransaction: SegmentSummary.TransactionEnd?
  /// Whether `timeline: latest` leads to this timeline for this backup.
  public var chosenByLatest: Bool
}
