import Foundation
import PlanModel
import PostgresVocabulary
import WAL

/// The plan's target as it will be written for PostgreSQL: times resolved to an instant and
/// written with an explicit offset, the timeline resolved to a number.
public struct ResolvedTarget: Hashable, Sendable, Codable {
  /// The kind, as the plan chose it.
  public var kind: RecoveryTarget.Kind
  /// For a time target: the instant, and the text written to `recovery_target_time`.
  public var instant: PostgresTimestamp?
  public var timeText: String?
  /// How a time without a zone was read, for the dry run to say.
  public var zoneNote: String?
  public var inclusive: Bool
  /// The timeline recovery follows (what `recovery_target_timeline` resolves to).
  public var timeline: TimelineID
  /// The value written to `recovery_target_timeline`.
  public var timelineSetting: String

  /// The `recovery_target*` settings, in the order written.
  public var settings: [(name: String, value: String)] {
    var lines: [(String, String)] = []
    switch kind {
    case .time: lines.append(("recovery_target_time", timeText ?? ""))
    case .name(let name): lines.append(("recovery_target_name", name))
    case .lsn(let lsn): lines.append(("recovery_target_lsn", lsn.description))
    case .xid(let xid): lines.append(("recovery_target_xid", String(xid)))
    case .immediate: lines.append(("recovery_target", "immediate"))
    case .latest: break
    }
    if kind.usesInclusive { lines.append(("recovery_target_inclusive", inclusive ? "on" : "off")) }
    lines.append(("recovery_target_timeline", timelineSetting))
    return lines
  }
}

/// What pitr expects PostgreSQL to log and do, compared with what really happens.
public struct Prediction: Hashable, Sendable, Codable {
  /// The `recovery stopping …` line (without the `LOG:` prefix), or `nil` when recovery
  /// replays to the end of the WAL.
  public var stopMessage: String?
  /// The record recovery stops at (before or after it).
  public var stopLSN: LSN?
  public var stopSegment: WALSegmentName?
  /// The last transaction recovery replays, as `last completed transaction was at log time …`
  /// reports it; `nil` when it replays none (PostgreSQL then logs no such line).
  public var lastCompletedTransaction: LastTransaction?
  /// The restored server's `timezone` setting, in which PostgreSQL writes the times of
  /// `stopMessage` and of the last completed transaction (nil in plans compiled before pitr
  /// followed it: UTC).
  public var serverTimezone: String?
  /// The timeline a promotion will create (`selected new timeline ID`).
  public var newTimeline: TimelineID?
  /// The timelines recovery follows from the backup's to the target's, oldest first, each
  /// with the LSN where it begins (the switch point from the one before); `nil` when the
  /// archive holds no history file, so there is only the backup's timeline to follow.
  public var timelinePath: [TimelineLeg]? = nil
  /// How many segments recovery fetches from the archive, and their bytes (uncompressed).
  /// PostgreSQL asks `restore_command` first, so this counts the segments the backup
  /// carries too when the archive has them.
  public var segmentsToFetch: Int
  public var bytesToFetch: Int64
  /// The first and last segment recovery reads (from the backup's start to the stop).
  public var firstSegment: WALSegmentName?
  public var lastSegment: WALSegmentName?
  /// Segments of that range the archive lacks but the backup carries: recovery reads them
  /// from `pg_wal`, not the archive (`nil` when there are none).
  public var segmentsFromBackup: [WALSegmentName]?

  /// How many segments recovery reads, fetched or carried by the backup.
  public var segmentsRead: Int { segmentsToFetch + (segmentsFromBackup?.count ?? 0) }

  /// What recovery fetches, as the dry run says it: "3 segments (48.0 MiB), A to C", or
  /// "2 of the 3 segments A to C (32.0 MiB); A comes with the backup (not in the archive)".
  public func fetchDescription(noun: String = "segment") -> String {
    let plural = segmentsRead == 1 ? "" : "s"
    let bytes = "(\(ByteCount.describe(bytesToFetch)))"
    let range: String
    switch (firstSegment, lastSegment) {
    case (let first?, let last?) where first == last: range = "\(first)"
    case (let first?, let last?): range = "\(first) to \(last)"
    default: range = ""
    }
    guard let carried = segmentsFromBackup, !carried.isEmpty else {
      return "\(segmentsToFetch) \(noun)\(plural) \(bytes)" + (range.isEmpty ? "" : ", \(range)")
    }
    let names =
      carried.count <= 2
      ? carried.map { "\($0)" }.joined(separator: " and ")
      : "\(carried.count) of them (\(carried[0]) to \(carried[carried.count - 1]))"
    return "\(segmentsToFetch) of the \(segmentsRead) \(noun)\(plural) \(range) \(bytes); "
      + "\(names) \(carried.count == 1 ? "comes" : "come") with the backup (not in the archive)"
  }

  /// One timeline of ``timelinePath``.
  public struct TimelineLeg: Hashable, Sendable, Codable {
    public var timeline: TimelineID
    /// Where recovery switches to it: `nil` for the first (the backup's).
    public var begins: LSN?

    public init(timeline: TimelineID, begins: LSN?) {
      self.timeline = timeline
      self.begins = begins
    }
  }

  /// ``timelinePath`` in words: "timeline 1 to 0/3000148, then timeline 2".
  public var timelinePathDescription: String? {
    guard let path = timelinePath, !path.isEmpty else { return nil }
    return path.indices.map { index in
      "timeline \(path[index].timeline)"
        + (index + 1 < path.count ? path[index + 1].begins.map { " to \($0)" } ?? "" : "")
    }.joined(separator: ", then ")
  }

  public struct LastTransaction: Hashable, Sendable, Codable {
    public var transactionID: UInt32
    public var time: PostgresTimestamp
    public var lsn: LSN
  }

  /// The zone the server prints times in (UTC when unknown).
  public var printingZone: TimeZone { ServerTimeZone(name: serverTimezone ?? "UTC").printingZone }
}
