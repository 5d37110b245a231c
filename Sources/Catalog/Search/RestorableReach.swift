import PostgresVocabulary

/// Which events `pitr wal find` found along a timeline some backup can restore to: an event is
/// reached when its place lies inside a restorable window (from where the backup is consistent
/// to where continuous WAL ends) of a backup whose recovery replays the same WAL there, on the
/// window's timeline or one sharing its history at that LSN.
///
/// The place is where a target naming the event stops: a commit, abort or restore point's own
/// record, and for a row change the end of its transaction (a restore to just before it stops
/// there), or the change itself while its transaction has not ended. Windows whose backup is
/// not consistent with the WAL (`incomplete`) reach nothing; a window whose backup end is
/// unknown counts from its start, a lower bound.
public struct RestorableReach: Sendable {
  /// The LSN ranges, half-open, and the timeline whose history each follows.
  private let ranges: [(timeline: TimelineID, start: LSN, end: LSN)]
  private let tree: TimelineTree
  public let timeline: TimelineID

  public init(windows: [RestorableWindow], archive: WALArchive, timeline: TimelineID) {
    tree = TimelineTree(histories: archive.historyFiles)
    self.timeline = timeline
    ranges = windows.filter { $0.status != .incomplete && $0.start < $0.end }
      .map { ($0.timeline, $0.start, $0.end) }
  }

  /// Whether any window can reach `timeline` at all (some of its WAL is shared).
  public var isEmpty: Bool { !ranges.contains { sharesHistory($0.timeline, at: $0.start) } }

  /// Whether a restore from some backup can stop at `event`.
  public func reaches(_ event: FoundEvent) -> Bool {
    let lsn = event.transactionEnd?.lsn ?? event.lsn
    return ranges.contains { $0.start <= lsn && lsn < $0.end && sharesHistory($0.timeline, at: lsn) }
  }

  /// Whether the WAL at `lsn` is the same on the way to `other` as on the way to `timeline`.
  private func sharesHistory(_ other: TimelineID, at lsn: LSN) -> Bool {
    other == timeline
      || tree.timeline(owning: lsn, onPathTo: other).map {
        $0 == tree.timeline(owning: lsn, onPathTo: timeline)
      } ?? false
  }
}
