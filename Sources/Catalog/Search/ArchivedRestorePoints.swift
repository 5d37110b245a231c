import PostgresVocabulary
import WAL

/// The restore points of every archived segment, each once, on the timeline that wrote it.
public struct ArchivedRestorePoints: Sendable {
  /// A restore point and where it is.
  public struct Point: Hashable, Sendable {
    public var name: String
    public var lsn: LSN
    public var time: PostgresTimestamp
    /// The timeline that wrote it, by the history files (not the file it was read from).
    public var timeline: TimelineID
    /// The archived segment it was read from: on its own timeline when that file exists.
    public var segment: WALSegmentName
  }

  public let tree: TimelineTree
  /// Every point, by timeline, then LSN.
  public let points: [Point]
  /// Timelines with segments but no history file (so no known parent): not read.
  public let timelinesWithoutHistory: [TimelineID]
  /// The highest timeline with a known history, the one `timeline: latest` follows.
  public let newest: TimelineID?
  /// Points with an earlier point of the same name on their history: recovery along their
  /// timeline stops at that one first.
  private let duplicates: Set<Point.Key>

  /// Reads (or finds in `cache`) the restore points of every segment in `archive`.
  public init(archive: WALArchive, cache: CatalogCache) {
    let tree = TimelineTree(histories: archive.historyFiles)
    self.tree = tree
    let index = WALIndex(archive: archive, cache: cache)
    var found: [Point] = []
    var positions: [Point.Key: Int] = [:]
    var unknown = Set<TimelineID>()
    for segment in archive.segments.map(\.name).sorted() {
      guard tree.exists(segment.timeline) else {
        unknown.insert(segment.timeline)
        continue
      }
      for point in index.summary(of: segment)?.restorePoints ?? [] {
        let owner = tree.timeline(owning: point.lsn, onPathTo: segment.timeline) ?? segment.timeline
        let candidate = Point(
          name: point.name, lsn: point.lsn, time: point.time, timeline: owner, segment: segment)
        // A child's copy of the segment holding its switch point repeats the parent's records.
        if let position = positions[candidate.key] {
          if found[position].segment.timeline != owner, segment.timeline == owner {
            found[position].segment = segment
          }
          continue
        }
        positions[candidate.key] = found.count
        found.append(candidate)
      }
    }
    points = found.sorted { ($0.timeline, $0.lsn) < ($1.timeline, $1.lsn) }
    timelinesWithoutHistory = unknown.sorted()
    newest = archive.timelines.map(\.timeline).filter(tree.exists).max()
    var duplicates = Set<Point.Key>()
    for sameName in Dictionary(grouping: points, by: \.name).values where sameName.count > 1 {
      for point in sameName
      where sameName.contains(where: {
        $0.lsn < point.lsn && Self.isOnHistory($0, of: point.timeline, tree)
      }) {
        duplicates.insert(point.key)
      }
    }
    self.duplicates = duplicates
  }

  /// Whether recovery along `timeline` passes `point` (it is on that timeline's history).
  public func isOnHistory(_ point: Point, of timeline: TimelineID) -> Bool {
    Self.isOnHistory(point, of: timeline, tree)
  }

  private static func isOnHistory(
    _ point: Point, of timeline: TimelineID, _ tree: TimelineTree
  ) -> Bool {
    tree.timeline(owning: point.lsn, onPathTo: timeline) == point.timeline
  }

  /// Whether an earlier point of the same name is on this point's history.
  public func isDuplicate(_ point: Point) -> Bool { duplicates.contains(point.key) }
}

extension ArchivedRestorePoints.Point {
  /// A point is the same wherever it is read: the same timeline and position.
  struct Key: Hashable {
    var timeline: TimelineID
    var lsn: LSN
  }

  var key: Key { Key(timeline: timeline, lsn: lsn) }
}
