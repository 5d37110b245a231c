import PlanModel
import PostgresVocabulary

/// Computes each backup's restorable windows, one per timeline its recovery can follow, by
/// walking segment numbers the way recovery fetches them (FORMATS.md §5.2: for each segment,
/// the newest timeline on the path that has begun by then, else an older one).
struct WindowCalculator {
  let archive: WALArchive
  let tree: TimelineTree
  private let available: Set<WALSegmentName>
  private let size: WALSegmentSize
  /// The highest segment number archived on any timeline: walks stop there.
  private let newestSegmentNumber: UInt64

  /// Reads the segments' summaries, to follow the chain of records through each window;
  /// `nil` looks at segment names only.
  private let index: WALIndex?

  init(archive: WALArchive, tree: TimelineTree, index: WALIndex? = nil) {
    self.archive = archive
    self.tree = tree
    self.index = index
    self.available = Set(archive.segments.map(\.name))
    let size = archive.segmentSize ?? .sixteenMiB
    self.size = size
    self.newestSegmentNumber =
      archive.segments.compactMap { $0.name.segmentNumber(size: size) }.max() ?? 0
  }

  func windows(for backup: BaseBackup) -> [RestorableWindow] {
    let label = backup.label
    let latest = tree.latest(from: label.startTimeline)
    return tree.descendants(of: label.startTimeline, at: label.checkpointLSN).compactMap {
      timeline in
      window(for: backup, along: timeline, chosenByLatest: timeline == latest)
    }
  }

  /// Why `timeline: latest` fails for this backup, when it does: the newest timeline does not
  /// descend from the backup's (a stray or unrelated history file).
  func latestProblem(for backup: BaseBackup) -> String? {
    let label = backup.label
    let latest = tree.latest(from: label.startTimeline)
    guard latest != label.startTimeline,
      tree.timeline(owning: label.checkpointLSN, onPathTo: latest) != label.startTimeline
    else { return nil }
    let fork = tree.history(of: latest)?.entries.first { $0.timeline == label.startTimeline }
    let forkText = fork.map { " forked from timeline \(label.startTimeline) at \($0.switchLSN)," } ?? ""
    return "with 'timeline: latest' PostgreSQL would follow timeline \(latest), which"
      + "\(forkText) not on this backup's history (its checkpoint is \(label.checkpointLSN) on "
      + "timeline \(label.startTimeline)); the restore would fail with \"requested timeline "
      + "\(latest) is not a child of this server's history\". Use 'timeline: current' "
      + "(or \(label.startTimeline))"
  }

  private func window(for backup: BaseBackup, along timeline: TimelineID, chosenByLatest: Bool)
    -> RestorableWindow?
  {
    guard let path = tree.path(to: timeline) else { return nil }
    let resolver = SegmentResolver(path: path, size: size, available: available)
    let included = Set(backup.includedSegments.compactMap { $0.segmentNumber(size: size) })
    let newest = max(newestSegmentNumber, included.max() ?? 0)
    var number = size.segmentNumber(containing: backup.label.startLSN)
    var previousTimeline = backup.label.startTimeline
    var lastFound: WALSegmentName?
    var damage: WALDamage?
    while number <= newest {
      let archived = resolver.file(for: number, notBelow: previousTimeline)
      let name =
        archived
        ?? (included.contains(number)
          ? WALSegmentName(timeline: previousTimeline, segmentNumber: number, size: size) : nil)
      guard let name else { break }
      lastFound = name
      previousTimeline = name.timeline
      if let archived, let found = self.damage(in: archived, from: backup.label.startLSN, newest: newest) {
        damage = found
        if found.segment != name, index?.path(of: found.segment) != nil {
          lastFound = found.segment
        }
        break
      }
      number += 1
    }
    // An unusable file where the walk stopped is damage, not a missing segment.
    if damage == nil, let unusable = unusableFile(for: number, along: path) {
      damage = WALDamage(
        segment: unusable.name, path: unusable.path, lsn: size.startLSN(ofSegment: number),
        kind: unusable.isShort ? .truncated : .unreadable, reason: unusable.reason)
    }
    let end = damage?.lsn ?? size.startLSN(ofSegment: number)
    let consistent = backup.consistentLSN
    // Stopping before the newest archived segment means one is missing; past it, WAL ends.
    let missing =
      damage == nil && number <= newest
      ? WALSegmentName(
        timeline: resolver.expectedTimeline(for: number), segmentNumber: number, size: size)
      : nil
    let status: RestorableWindow.Status
    if let consistent {
      status = end >= consistent ? .restorable : .incomplete
    } else {
      status = .endUnknown
    }
    return RestorableWindow(
      backupID: backup.id, timeline: timeline, status: status,
      start: consistent ?? backup.label.startLSN, startTime: backup.stop?.time, end: end,
      lastSegment: lastFound, firstMissingSegment: missing, damage: damage, lastTransaction: nil,
      chosenByLatest: chosenByLatest)
  }

  /// An unusable file of segment `number` on a timeline of the path that has begun by then.
  private func unusableFile(for number: UInt64, along path: [TimelineTree.Step]) -> UnusableSegment? {
    guard let unusable = archive.unusableSegments else { return nil }
    return path.lazy.compactMap { step -> UnusableSegment? in
      guard self.size.segmentNumber(containing: step.begins) <= number else { return nil }
      let name = WALSegmentName(timeline: step.timeline, segmentNumber: number, size: self.size)
      return unusable.first { $0.name == name }
    }.first
  }

  /// The damage in archived segment `name` that ends a window: a break in its chain of
  /// records after the backup's start, with archived WAL after it (or a file that is short
  /// or unreadable). A break in the newest segment is only where the WAL ends.
  private func damage(in name: WALSegmentName, from start: LSN, newest: UInt64) -> WALDamage? {
    guard let index, let found = index.summary(of: name)?.chainBreak, found.lsn >= start else {
      return nil
    }
    guard found.isBadFile || (found.segment.segmentNumber(size: size) ?? newest) < newest else {
      return nil
    }
    return WALDamage(
      segment: found.segment, path: index.path(of: found.segment) ?? index.path(of: name) ?? "?",
      lsn: found.lsn, kind: found.kind, reason: found.reason)
  }
}
