import Foundation
import PlanModel

/// The `postgresql.auto.conf` the `finish` step leaves once the restored server promoted:
/// the backup's own text (without what only a pitr restore needs), a short commented record
/// of what was restored, the plan's `port` and `settings`, and archiving as the plan says.
/// No `restore_command`, `recovery_target_*`, `hot_standby`, `hba_file` or
/// `unix_socket_directories` of the restore: the backup's own pg_hba.conf and socket
/// directory apply again, and nothing in `DATA.pitr` is needed to start the server.
///
/// The file is written whole from these bytes (the dry run shows them), so finishing again
/// after a crash writes the same file; nothing reads pitr's block markers back, since
/// `ALTER SYSTEM` drops comments.
struct FinishedConfiguration {
  /// What the record says was restored.
  struct Record {
    var planName: String
    var planFile: String
    var backupID: String
    var backupPath: String
    /// `recovery_target_name = 'before_delete'`, … as recovery used them.
    var targetSettings: [(name: String, value: String)]
    var action: String
    /// The predicted `recovery stopping …` line, nil when recovery replays all the WAL.
    var predictedStop: String?
    var stateDirectory: String
  }

  var backupText: String?
  var record: Record
  var port: Int
  var settings: [Setting]
  var archiving: Archiving
  /// The backup's PostgreSQL major version (`archive_library` exists from 15 on).
  var pgVersion: Int?

  /// The settings a plan may not leave the restore's value in after promotion when they come
  /// from the backup's own `postgresql.auto.conf` (a backup of a restored cluster whose pitr
  /// block lost its markers to `ALTER SYSTEM`).
  static let restoreOnlySettings: Set<String> = [
    "restore_command", "hba_file", "unix_socket_directories", "hot_standby", "recovery_prefetch",
  ]

  /// The file's exact bytes; nil when a plan value cannot be quoted safely (the compiler has
  /// refused such a plan already).
  var text: String? {
    var text = Self.withoutRestoreLines(backupText ?? "")
    if !text.isEmpty, !text.hasSuffix("\n") { text += "\n" }
    text += recordText
    var lines: [RecoveryConfiguration.Line] = [.init("port", String(port), comment: "destination.port")]
    for setting in settings {
      lines.append(.init(setting.name.value, setting.value.value, comment: "from the plan"))
    }
    lines += archivingLines
    for line in lines {
      guard let value = ConfigurationValue.quoted(line.value) else { return nil }
      text += "\(line.name) = \(value)" + (line.comment.map { "  # \($0)" } ?? "") + "\n"
    }
    return text
  }

  /// `archiving: off`: archiving stays off, and the command the server would run the day
  /// someone turns `archive_mode` on refuses every segment, as Barman leaves a recovered
  /// server (`archive_command = false`): production's `archive_command`, which the backup's
  /// postgresql.conf may still hold, never writes into the source's archive. `keep`: nothing,
  /// the backup's own archive settings apply.
  var archivingLines: [RecoveryConfiguration.Line] {
    guard archiving == .off else { return [] }
    let planned = Set(settings.map { $0.name.value.lowercased() })
    var lines: [RecoveryConfiguration.Line] = [
      .init("archive_mode", "off", comment: "destination.archiving: off")
    ]
    if !planned.contains("archive_command") {
      lines.append(
        .init(
          "archive_command", "false",
          comment: "never the source's archive: set your own before turning archive_mode on"))
    }
    if (pgVersion ?? 0) >= 15, !planned.contains("archive_library") {
      lines.append(.init("archive_library", "", comment: "so that archive_command is the one used"))
    }
    return lines
  }

  /// The comment block saying what was restored (no date: the same plan, the same bytes).
  var recordText: String {
    let target = record.targetSettings.map { "\($0.name) = '\($0.value)'" }.joined(separator: ", ")
    var lines = [
      "Restored by pitr from plan '\(record.planName)' (\(record.planFile)), action \(record.action)",
      "backup \(record.backupID) (\(record.backupPath))",
      "target: \(target)",
      "stop: " + (record.predictedStop.map { "\($0) (predicted)" } ?? "all the archived WAL replayed"),
      "pitr's restore settings (restore_command, recovery_target_*, hot_standby, the socket",
      "and pg_hba.conf in \(record.stateDirectory)) are gone: \(record.stateDirectory) is not needed",
      "to run this server. The lines below are ordinary settings.",
    ]
    lines = lines.map { Self.commentSafe($0) }
    return lines.map { "# \($0)\n" }.joined()
  }

  /// The backup's own text without an earlier pitr block, and without any line setting
  /// `recovery_target*` or a restore-only setting that points at a pitr restore (its
  /// `wal-fetch`, or a `.pitr` folder): they are what an earlier restore left when
  /// `ALTER SYSTEM` dropped its markers.
  static func withoutRestoreLines(_ text: String) -> String {
    let cleaned = RestoredFiles.removingPitrBlock(text)
    var kept: [Substring] = []
    for line in cleaned.split(separator: "\n", omittingEmptySubsequences: false) {
      guard let equals = line.firstIndex(of: "=") else {
        kept.append(line)
        continue
      }
      let name = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
      let value = line[line.index(after: equals)...]
      if name.hasPrefix("recovery_target") { continue }
      if restoreOnlySettings.contains(name), value.contains("wal-fetch") || value.contains(".pitr") { continue }
      kept.append(line)
    }
    return kept.joined(separator: "\n")
  }

  /// A comment's text on one line.
  static func commentSafe(_ text: String) -> String {
    String(text.map { $0 == "\n" || $0 == "\r" || $0 == "\0" ? " " : $0 })
  }
}
