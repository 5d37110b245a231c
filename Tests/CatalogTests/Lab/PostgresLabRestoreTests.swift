import Foundation
import Testing
import _PITRTestSupport

/// Restoring a lab's backups: to the seed's restore point with promotion (a new timeline in
/// the archive), to an xid with a pause, and into the failure a stray history file causes.
@Suite(.tags(.integration), .enabled(if: PostgresLab.isAvailable))
struct PostgresLabRestoreTests {
  @Test(.timeLimit(.minutes(3)))
  func restoreToTheRestorePointPromotesOntoTimeline2() throws {
    let lab = try PostgresLab(name: "restore-dated", archive: .gzipDated)
    defer { lab.removeExpectingNothingRunning() }
    let scenario = try InventariosScenario.run(in: lab)

    // The dated layout: YYYY-MM-DD folders of .gz files.
    let days = lab.archive.dayFolders()
    #expect(!days.isEmpty)
    #expect(days.allSatisfy { $0.wholeMatch(of: /\d{4}-\d{2}-\d{2}/) != nil })
    let stored = lab.archive.storedPaths()
    #expect(stored.allSatisfy { path in days.contains { path.hasPrefix("\($0)/") } })
    #expect(stored.allSatisfy { $0.hasSuffix(".gz") })
    #expect(lab.archive.fileNames().contains(scenario.deleteWALFile))

    let restored = try lab.restore(
      backup: scenario.backupPath,
      recovery: [
        "recovery_target_name": scenario.restorePointName,
        "recovery_target_action": "promote",
      ],
      archiveIntoSameArchive: true)
    #expect(try restored.sql("SELECT count(*) FROM inventarios", database: "test") == "11")
    #expect(
      try restored.sql(
        "SELECT stock FROM inventarios WHERE producto = 'Ultimo_Registro'", database: "test")
        == "999")
    #expect(try restored.sql("SELECT timeline_id FROM pg_control_checkpoint()") == "2")
    #expect(restored.log().contains("recovery stopping at restore point \"test_pirt\""))

    // The new timeline's history file, gzip'd into a day folder: TLI 1 ended where the
    // restore point record ends.
    try restored.waitUntilArchived("00000002.history")
    let history = try String(
      contentsOfFile: lab.archive.decompressedCopy(
        of: "00000002.history", into: lab.directory.file("check")),
      encoding: .utf8)
    #expect(history == "1\t\(scenario.restorePointLSN)\tat restore point \"test_pirt\"\n")
    let historyPath = try #require(lab.archive.path(of: "00000002.history"))
    #expect(historyPath.hasSuffix(".history.gz"))
    #expect(days.contains { historyPath.contains("/\($0)/") })

    // Segments of timeline 2 reach the same archive.
    try restored.sql("CREATE TABLE after_restore (id int)", database: "test")
    try restored.switchWAL()
    #expect(lab.archive.fileNames().contains { $0.hasPrefix("00000002") && $0.count == 24 })
  }

  @Test(.timeLimit(.minutes(3)))
  func plainBackupRestoresToTheInsertAndPauses() throws {
    let lab = try PostgresLab(name: "restore-plain", archive: .plainFlat)
    defer { lab.removeExpectingNothingRunning() }
    let scenario = try InventariosScenario.run(in: lab, backupFormat: .plain)

    let backupFiles = Set(try FileManager.default.contentsOfDirectory(atPath: scenario.backupPath))
    #expect(backupFiles.isSuperset(of: ["PG_VERSION", "backup_label", "backup_manifest"]))
    #expect(backupFiles.isSuperset(of: ["base", "global", "pg_wal"]))
    let stored = lab.archive.storedPaths()
    #expect(stored.contains(scenario.insertWALFile))
    #expect(stored.allSatisfy { !$0.hasSuffix(".gz") && !$0.contains("/") })

    let restored = try lab.restore(
      backup: scenario.backupPath,
      recovery: ["recovery_target_xid": String(scenario.insertXid)],
      archiveIntoSameArchive: false)
    #expect(try restored.sql("SELECT pg_is_in_recovery()") == "t")
    #expect(try restored.sql("SELECT count(*) FROM inventarios", database: "test") == "11")
    #expect(
      restored.log().contains("recovery stopping after commit of transaction \(scenario.insertXid)")
    )

    try restored.sql("SELECT pg_wal_replay_resume()")
    try restored.waitUntil(.promoted)
    #expect(try restored.sql("SELECT count(*) FROM inventarios", database: "test") == "11")
    // It did not archive: no history file.
    try restored.sql("SELECT pg_switch_wal()")
    #expect(!lab.archive.fileNames().contains { $0.hasSuffix(".history") })
  }

  /// A stray `00000002.history` breaks a restore with the default timeline (FORMATS.md §5.2).
  ///
  /// With `recovery_target_timeline = latest`, an unrelated history file that forked before
  /// the backup makes the restore fail. That the server finds the file proves it has the
  /// layout's name, place and compression.
  @Test(.timeLimit(.minutes(3)), arguments: PostgresLab.ArchiveLayout.allCases)
  func aStrayHistoryFileBreaksARestore(layout: PostgresLab.ArchiveLayout) throws {
    let lab = try PostgresLab(name: "stray-\(layout)", archive: layout)
    defer { lab.removeExpectingNothingRunning() }
    let backup = try lab.baseBackup(
      into: "2025/07/01", format: .tar(compression: .none), label: "stray")
    #expect(backup == "\(lab.backupsDirectory)/2025/07/01")
    #expect(
      Set(try FileManager.default.contentsOfDirectory(atPath: backup))
        == ["backup_manifest", "base.tar", "pg_wal.tar"])
    try lab.switchWAL()

    if layout.isDated { try lab.archive.setDay("2025-07-01") }
    let text = "1\t0/1000000\tno recovery target specified\n"
    let path = try lab.writeStrayHistoryFile(timeline: 2, contents: text)
    switch layout {
    case .plainFlat: #expect(path == "\(lab.archiveDirectory)/00000002.history")
    case .gzipFlat: #expect(path == "\(lab.archiveDirectory)/00000002.history.gz")
    case .gzipDated, .zstdDated, .lz4Dated:
      #expect(path == "\(lab.archiveDirectory)/2025-07-01/00000002.history\(layout.suffix)")
    case .zstdFlat, .lz4Flat:
      #expect(path == "\(lab.archiveDirectory)/00000002.history\(layout.suffix)")
    }
    let copy = try lab.archive.decompressedCopy(
      of: "00000002.history", into: lab.directory.file("check"))
    #expect(try String(contentsOfFile: copy, encoding: .utf8) == text)

    let restored = try lab.restore(
      backup: backup, recovery: [:], archiveIntoSameArchive: false, expecting: .failed)
    #expect(!restored.isRunning)
    #expect(restored.log().contains("requested timeline 2 is not a child of this server's history"))
  }
}
