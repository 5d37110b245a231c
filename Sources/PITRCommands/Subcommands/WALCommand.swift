import ArgumentParser
import Catalog
import Foundation
import PostgresVocabulary

/// `pitr wal`: questions answered by reading the archived WAL natively.
struct WALCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "wal",
    abstract: "Find commits, restore points and row changes in the archived WAL.",
    discussion: """
      pitr reads WAL segments itself (PostgreSQL 13 to 19, plain or gzip'd, at any depth of \
      the archive folders), checking every record's CRC, and follows a timeline's history as \
      recovery does. It never runs pg_waldump.
      """,
    subcommands: [WALFind.self, WALRestorePoints.self]
  )
}

/// The archive options `pitr wal` subcommands share.
struct WALArchiveOptions: ParsableArguments {
  @Option(
    name: .long,
    help: ArgumentHelp("A WAL archive folder (repeat for several).", valueName: "dir"))
  var wal: [String] = []

  @Option(
    name: .long,
    help: ArgumentHelp(
      "The timeline to read along: a number, or 'newest' (the default: the highest timeline "
        + "in the archive; restore-points reads every timeline unless given one).",
      valueName: "timeline"))
  var timeline: String?

  @Flag(name: .long, help: "Read every file again instead of using the catalog cache.")
  var noCache = false

  func validate() throws {
    if let timeline, timeline != "newest", UInt32(timeline).map({ $0 >= 1 }) != true {
      throw ValidationError("--timeline must be 'newest' or a number of at least 1")
    }
  }

  /// Refuses a command line without an archive (a command that can take it from elsewhere,
  /// such as a plan, checks that itself).
  func requireArchive() throws {
    if wal.isEmpty { throw ValidationError("give the archive with --wal DIR") }
  }

  /// The archive, scanned (through the cache), and the timeline to read.
  func load() throws -> (WALArchive, TimelineID) {
    let (archive, _) = try loadArchive()
    return (archive, chosenTimeline(in: archive))
  }

  /// The timeline `--timeline` names, or the highest one in the archive.
  func chosenTimeline(in archive: WALArchive) -> TimelineID {
    timeline.flatMap(UInt32.init).map { TimelineID($0) }
      ?? archive.timelines.map(\.timeline).max() ?? TimelineID(1)
  }

  /// Why `timeline` cannot be read: no history file, and when it has segments, what to copy
  /// where.
  static func noHistory(_ timeline: TimelineID, in archive: WALArchive) -> String {
    let tree = TimelineTree(histories: archive.historyFiles)
    guard let missing = MissingHistoryFile.find(in: archive, tree: tree).first(where: { $0.timeline == timeline })
    else { return "timeline \(timeline) has no history file in the archive" }
    let others = archive.timelines.map(\.timeline).filter(tree.exists).map { "\($0)" }
    let instead = others.isEmpty ? "" : "; or read another timeline with --timeline " + others.joined(separator: " or ")
    return "\(missing.problem). \(missing.advice())" + instead
  }

  /// The archive, scanned, and the cache it was scanned through (still open: segment
  /// summaries read later can be stored in it, then saved).
  func loadArchive() throws -> (WALArchive, CatalogCache) {
    let folders = wal.map(absolutePath)
    try Folders.requireExisting(folders)
    let cache = CatalogCache.forFolders(folders, enabled: !noCache)
    let (archive, _) = Catalog.scanArchive(wal: folders, cache: cache)
    cache.save()
    if archive.segments.isEmpty {
      Terminal.writeError("pitr: error: no WAL segments in \(folders.joined(separator: ", "))\n")
      throw PITRExitCode.usage
    }
    return (archive, cache)
  }
}

/// A path made absolute against the current folder and standardized.
func absolutePath(_ path: String) -> String {
  let full = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
  return URL(fileURLWithPath: full).standardizedFileURL.path
}
