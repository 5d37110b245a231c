import PostgresVocabulary

/// A timeline whose segments are archived but whose `.history` file is not: which timeline
/// it forked from, and where, is unknown, so no restore can follow it.
///
/// PostgreSQL writes `0000000N.history` into the promoting server's `pg_wal/` when it
/// promotes to timeline N, and archives it like a segment; a server promoted with archiving
/// off (a restore promoted with `archiving: off`, then archiving later) never archives it.
public struct MissingHistoryFile: Hashable, Sendable, Codable {
  public var timeline: TimelineID
  /// `0000000N.history`.
  public var fileName: String
  /// How many segments of the timeline are archived.
  public var segmentCount: Int
  /// The archive folder holding the timeline's newest segment: where the file belongs.
  public var folder: String
  /// The name the copy should have there: compressed like that segment
  /// (`00000002.history.gz` beside `…05.gz`).
  public var archivedName: String
  /// That segment's compression (`none`, `gzip`, …).
  public var compression: String

  /// The timelines of `archive` with segments but no history file, oldest first.
  public static func find(in archive: WALArchive, tree: TimelineTree) -> [MissingHistoryFile] {
    archive.timelines.compactMap { timeline in
      guard !tree.exists(timeline.timeline),
        let newest = archive.segments.filter({ $0.name.timeline == timeline.timeline })
          .max(by: { $0.name < $1.name })
      else { return nil }
      let slash = newest.path.lastIndex(of: "/")
      let folder = slash.map { String(newest.path[..<$0]) } ?? "."
      let fileName = slash.map { String(newest.path[newest.path.index(after: $0)...]) } ?? newest.path
      // What follows the 24-digit name: `.gz`, `.zst`, or nothing.
      let suffix = fileName.count > 24 ? String(fileName.dropFirst(24)) : ""
      let history = "\(timeline.timeline.fileNamePart).history"
      return MissingHistoryFile(
        timeline: timeline.timeline, fileName: history, segmentCount: timeline.count,
        folder: folder.isEmpty ? "/" : folder, archivedName: history + suffix,
        compression: newest.compression)
    }
  }

  /// Why nothing can follow the timeline, for `pitr catalog`.
  public var problem: String {
    "timeline \(timeline) has \(segmentCount) segment\(segmentCount == 1 ? "" : "s") in the "
      + "archive but no history file \(fileName), so pitr cannot tell which timeline it forked "
      + "from or where, and no restore can follow it"
  }

  /// Where PostgreSQL wrote the file and what to copy where; `copy` is the file's path when
  /// pitr found it (in a data directory the plan names).
  public func advice(copy: String? = nil) -> String {
    let target =
      "\(folder)/\(archivedName)"
      + (compression == "none" || archivedName == fileName
        ? "" : " (\(compression)-compressed, like the segments there)")
    if let copy {
      return "PostgreSQL wrote \(fileName) into \(copy) when it promoted to timeline "
        + "\(timeline), and archiving was off or failed then; copy \(copy) to \(target)"
    }
    return "PostgreSQL wrote \(fileName) into the pg_wal/ folder of the server that promoted "
      + "to timeline \(timeline), when it promoted, and archiving was off or failed then; copy "
      + "pg_wal/\(fileName) from that server's data directory to \(target)"
  }
}
