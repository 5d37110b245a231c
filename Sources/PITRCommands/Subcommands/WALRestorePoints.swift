import ArgumentParser
import Catalog
import Foundation
import WAL

/// `pitr wal restore-points`: every restore point in the archive.
struct WALRestorePoints: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "restore-points",
    abstract: "List every restore point in the archived WAL, with its LSN, time and timeline.",
    discussion: """
      Restore points are made with pg_create_restore_point(name) and restored to with a \
      plan's 'target: name:'. When a name occurs twice, recovery stops at the first one; \
      pitr marks the later ones.
      """
  )

  @OptionGroup var archive: WALArchiveOptions
  @OptionGroup var output: OutputOptions

  func run() async throws {
    let (walArchive, timeline) = try archive.load()
    guard
      let result = try WALSearch(archive: walArchive, timeline: timeline).run(
        WALSearch.Criteria(kinds: [.restorePoint]))
    else {
      Terminal.writeError("pitr: error: timeline \(timeline) has no history file in the archive\n")
      throw PITRExitCode.usage
    }
    if output.json {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
      Terminal.write(String(decoding: try encoder.encode(result.events), as: UTF8.self) + "\n")
      return
    }
    guard !result.events.isEmpty else {
      Terminal.write("No restore points on timeline \(timeline).\n")
      return
    }
    var table = TextTable("NAME", "LSN", "TIME (UTC)", "TIMELINE", "SEGMENT", "NOTE")
    var seen = Set<String>()
    for event in result.events {
      let name = event.restorePoint ?? ""
      table.append(
        name, "\(event.lsn)", event.time.map(\.description) ?? "", "\(event.segment.timeline)",
        "\(event.segment)",
        seen.insert(name).inserted ? "" : "duplicate: recovery stops at the first")
    }
    Terminal.write(table.render())
  }
}
