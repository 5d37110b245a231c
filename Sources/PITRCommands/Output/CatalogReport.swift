import Catalog
import Compiler
import Foundation
import PostgresVocabulary

/// The text `pitr catalog` prints: backups, WAL per timeline, timelines, windows.
enum CatalogReport {
  static func render(_ catalog: Catalog) -> String {
    [backups(catalog), archive(catalog), timelines(catalog), windows(catalog)]
      .joined(separator: "\n")
  }

  private static func backups(_ catalog: Catalog) -> String {
    let text = "Base backups in \(catalog.base)\n"
    guard !catalog.backups.isEmpty else { return text + "  none\n" }
    var table = TextTable(
      "ID", "START", "STOP", "LSN RANGE", "TL", "PG", "SIZE", "COMPRESSION", "MANIFEST")
    for backup in catalog.backups {
      let end = backup.consistentLSN.map { "\($0)" } ?? "?"
      table.append(
        backup.id, backup.startTimeDescription ?? "?", backup.stopTimeDescription ?? "?",
        "\(backup.label.startLSN)..\(end)", "\(backup.label.startTimeline)",
        backup.pgVersion.map(String.init) ?? "?", ByteCount.describe(backup.sizeOnDisk),
        backup.format == .plain ? "plain" : backup.compression, backup.manifest.summary)
    }
    var notes = ""
    for backup in catalog.backups {
      if let problem = catalog.incrementalProblem(of: backup) {
        notes += "  \(backup.id): \(problem)\n"
      } else if backup.incremental != nil {
        let chain = catalog.chain(of: backup).backups.map(\.id).joined(separator: " -> ")
        notes += "  \(backup.id): incremental, chain \(chain) (restored combined by pg_combinebackup)\n"
      }
    }
    return text + table.render() + notes
  }

  private static func archive(_ catalog: Catalog) -> String {
    let archive = catalog.archive
    var facts: [String] = []
    if let size = archive.segmentSize { facts.append("\(size) segments") }
    if let version = archive.majorVersion { facts.append("PostgreSQL \(version)") }
    if let system = archive.systemIdentifier { facts.append("system identifier \(system)") }
    var text = "WAL archive in \(catalog.wal.joined(separator: ", "))"
    text += facts.isEmpty ? "\n" : ": " + facts.joined(separator: ", ") + "\n"
    guard !archive.timelines.isEmpty else { return text + "  no segments\n" }
    var table = TextTable("TIMELINE", "FIRST", "LAST", "SEGMENTS", "GAPS")
    for timeline in archive.timelines {
      let gaps =
        timeline.gaps.isEmpty
        ? "none"
        : timeline.gaps.map { gap in
          gap.count == 1 ? "\(gap.first)" : "\(gap.first)..\(gap.last) (\(gap.count))"
        }.joined(separator: ", ")
      table.append(
        "\(timeline.timeline)", timeline.first.map { "\($0)" } ?? "-",
        timeline.last.map { "\($0)" } ?? "-", "\(timeline.count)", gaps)
    }
    text += table.render()
    let extras = [
      archive.partialSegments.isEmpty ? nil : "\(archive.partialSegments.count) .partial",
      archive.historyFiles.isEmpty ? nil : "\(archive.historyFiles.count) .history",
      archive.backupHistoryFiles.isEmpty ? nil : "\(archive.backupHistoryFiles.count) .backup",
    ].compactMap { $0 }
    if !extras.isEmpty { text += "  also: " + extras.joined(separator: ", ") + " files\n" }
    return text
  }

  private static func timelines(_ catalog: Catalog) -> String {
    let text = "Timelines\n"
    var table = TextTable("TIMELINE", "PARENT", "SWITCH POINT", "REASON", "NOTE")
    for timeline in catalog.timelines {
      let note =
        if let missing = timeline.missingHistory {
          "no \(missing.fileName): parent unknown, not restorable (see the warning below)"
        } else if timeline.parentContinuesPastFork {
          "side branch: its parent goes on past the fork"
        } else {
          ""
        }
      table.append(
        "\(timeline.timeline)",
        timeline.parent.map { "\($0)" } ?? (timeline.missingHistory == nil ? "-" : "?"),
        timeline.switchLSN.map { "\($0)" } ?? (timeline.missingHistory == nil ? "-" : "?"),
        timeline.reason ?? "-", note)
    }
    return text + (catalog.timelines.isEmpty ? "  none\n" : table.render())
  }

  private static func windows(_ catalog: Catalog) -> String {
    let text = "Restorable windows\n"
    guard !catalog.windows.isEmpty else { return text + "  none\n" }
    var table = TextTable("BACKUP", "TIMELINE", "FROM", "TO", "STATUS")
    for window in catalog.windows {
      let startTime =
        catalog.backups.first { $0.id == window.backupID }?.stopTimeDescription ?? window.startTime
      let from = "\(window.start)" + (startTime.map { " (\($0))" } ?? "")
      var to = "\(window.end)"
      if let last = window.lastTransaction { to += " (last commit \(last.time))" }
      var status = window.status.rawValue
      if let missing = window.firstMissingSegment { status += ", then \(missing) is missing" }
      if let damage = window.damage {
        status += ", then \(damage.segment) is damaged at \(damage.lsn): \(damage.reason)"
      }
      table.append(
        window.backupID, "\(window.timeline)" + (window.chosenByLatest ? " (latest)" : ""), from, to,
        status)
    }
    return text + table.render()
  }
}
