import PostgresVocabulary

/// One timeline as `pitr catalog` shows it: where it came from and how much WAL it has.
public struct TimelineSummary: Hashable, Sendable, Codable {
  public var timeline: TimelineID
  /// The timeline it forked from, where, and why (from its history file).
  public var parent: TimelineID?
  public var switchLSN: LSN?
  public var reason: String?
  /// Its `.history` file (none for timeline 1, or when missing).
  public var historyFile: String?
  /// How many complete segments the archive has on it.
  public var segmentCount: Int
  /// Whether its parent's WAL goes on past the fork: this timeline is a side branch, and
  /// restores of the parent's later backups must not use `timeline: latest`.
  public var parentContinuesPastFork: Bool
  /// Set when the timeline has archived segments but no history file: its parent is
  /// unknown, and what to copy where.
  public var missingHistory: MissingHistoryFile?

  /// With an index, the parent's segment holding the fork is read too: a commit, abort or
  /// restore point past the fork in that segment also makes this timeline a side branch.
  static func summarize(archive: WALArchive, tree: TimelineTree, index: WALIndex? = nil) -> [TimelineSummary] {
    let size = archive.segmentSize ?? .sixteenMiB
    let missing = Dictionary(
      MissingHistoryFile.find(in: archive, tree: tree).map { ($0.timeline, $0) },
      uniquingKeysWith: { first, _ in first })
    var timelines = Set(archive.timelines.map(\.timeline))
    timelines.formUnion(archive.historyFiles.map(\.timeline))
    return timelines.sorted().map { timeline in
      let history = tree.history(of: timeline)
      let parent = history?.parent
      let parentSegments = archive.timelines.first { $0.timeline == parent?.timeline }
      let parentEnd = parentSegments?.last.flatMap { $0.lsnRange(size: size)?.upperBound }
      return TimelineSummary(
        timeline: timeline, parent: parent?.timeline, switchLSN: parent?.switchLSN,
        reason: parent?.reason.trimmingWhitespace, historyFile: history?.path,
        segmentCount: archive.timelines.first { $0.timeline == timeline }?.count ?? 0,
        parentContinuesPastFork: {
          guard let parent, let parentEnd else { return false }
          // The parent's own segment holding the fork ends past it anyway; a later one means
          // the parent went on writing after the fork.
          let forkSegmentNumber = size.segmentNumber(containing: parent.switchLSN)
          let forkSegmentEnd = size.startLSN(ofSegment: forkSegmentNumber + 1)
          if parentEnd > forkSegmentEnd { return true }
          return index.map {
            Self.hasTargets(after: parent.switchLSN, in: forkSegmentNumber, of: parent.timeline, index: $0, size: size)
          } ?? false
        }(), missingHistory: missing[timeline])
    }
  }
}

extension TimelineSummary {
  /// Whether the parent's segment holding the fork has a transaction end or a restore point
  /// past the fork: something a restore with `timeline: PARENT` can reach there.
  fileprivate static func hasTargets(
    after fork: LSN, in segmentNumber: UInt64, of parent: TimelineID, index: WALIndex, size: WALSegmentSize
  ) -> Bool {
    let name = WALSegmentName(timeline: parent, segmentNumber: segmentNumber, size: size)
    guard let summary = index.summary(of: name) else { return false }
    if let last = summary.last, last.lsn >= fork { return true }
    return summary.restorePoints.contains { $0.lsn >= fork }
  }
}

extension String {
  fileprivate var trimmingWhitespace: String {
    String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
  }
}
