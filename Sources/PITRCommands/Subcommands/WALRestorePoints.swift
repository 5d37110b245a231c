import ArgumentParser
import Catalog
import Foundation
import PostgresVocabulary
import WAL

/// `pitr wal restore-points`: every restore point in the archive.
struct WALRestorePoints: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "restore-points",
    abstract: "List every restore point in the archived WAL, with its LSN, time and timeline.",
    discussion: """
      Restore points are made with pg_create_restore_point(name) and restored to with a \
      plan's 'target: name:'. pitr reads every archived segment of every timeline (each \
      segment's points are kept in the catalog cache) and lists each point once, with the \
      timeline it was written on, as the timelines' history files say: a point before a \
      switch point belongs to the parent timeline, even when it is read from the child's \
      copy of the segment. Points a parent timeline wrote after a switch point (an abandoned \
      branch) are listed too, with the timeline recovery must follow to reach them. With \
      --timeline N, only the points on N's history: those recovery along N can reach.

      When a name occurs twice on one history, recovery stops at the first one; pitr marks \
      the later ones.
      """
  )

  @OptionGroup var archive: WALArchiveOptions
  @OptionGroup var output: OutputOptions

  func validate() throws { try archive.requireArchive() }

  func run() async throws {
    let (walArchive, cache) = try archive.loadArchive()
    let catalog = ArchivedRestorePoints(archive: walArchive, cache: cache)
    cache.save()
    let missing = MissingHistoryFile.find(in: walArchive, tree: catalog.tree)
    for timeline in catalog.timelinesWithoutHistory {
      guard let file = missing.first(where: { $0.timeline == timeline }) else { continue }
      Terminal.writeError(
        "pitr: warning: \(file.problem); its segments were not read. \(file.advice())\n")
    }
    var points = catalog.points
    var scope = "the archive"
    if archive.timeline != nil {
      let timeline = archive.chosenTimeline(in: walArchive)
      guard catalog.tree.exists(timeline) else {
        Terminal.writeError("pitr: error: " + WALArchiveOptions.noHistory(timeline, in: walArchive) + "\n")
        throw PITRExitCode.usage
      }
      points = points.filter { catalog.isOnHistory($0, of: timeline) }
      scope = "the history of timeline \(timeline)"
    }
    if output.json {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
      let rows = points.map { point in
        let isOnNewest = catalog.newest.map { catalog.isOnHistory(point, of: $0) } ?? true
        return RestorePointRow(
          point, duplicate: catalog.isDuplicate(point),
          targetTimeline: isOnNewest ? nil : point.timeline)
      }
      Terminal.write(String(decoding: try encoder.encode(rows), as: UTF8.self) + "\n")
      return
    }
    guard !points.isEmpty else {
      Terminal.write("No restore points in \(scope).\n")
      return
    }
    var table = TextTable("NAME", "LSN", "TIME (UTC)", "TIMELINE", "SEGMENT", "NOTE")
    for point in points {
      var notes: [String] = []
      if catalog.isDuplicate(point) { notes.append("duplicate: recovery stops at the first") }
      if let newest = catalog.newest, !catalog.isOnHistory(point, of: newest) {
        notes.append("not on timeline \(newest)'s history: needs 'timeline: \(point.timeline)'")
      }
      table.append(
        point.name, "\(point.lsn)", "\(point.time)", "\(point.timeline)", "\(point.segment)",
        notes.joined(separator: "; "))
    }
    Terminal.write(table.render())
  }
}

/// A point as `--json` prints it (the keys `pitr wal find` uses, and the timeline).
struct RestorePointRow: Encodable {
  var kind = "restore-point"
  var restorePoint: String
  var lsn: LSN
  var time: PostgresTimestamp
  var timeline: TimelineID
  var segment: WALSegmentName
  /// Whether an earlier point of the same name is on its history.
  var duplicate: Bool
  /// The `target: timeline:` a plan needs to reach it, when the newest timeline's history
  /// does not hold it.
  var targetTimeline: TimelineID?

  init(_ point: ArchivedRestorePoints.Point, duplicate: Bool, targetTimeline: TimelineID?) {
    restorePoint = point.name
    lsn = point.lsn
    time = point.time
    timeline = point.timeline
    segment = point.segment
    self.duplicate = duplicate
    self.targetTimeline = targetTimeline
  }
}
