import Catalog
import Foundation
import PlanModel
import PostgresVocabulary
import Testing
import _PITRTestSupport

/// The catalog over archives a real PostgreSQL 15 wrote: the seed 001 lab (a `-Ft -Xs -Z
/// server-gzip` backup, WAL gzip'd into dated folders), a later `-Fp` backup, a promotion
/// that creates timeline 2, and a stray history file.
@Suite(.tags(.integration), .enabled(if: PostgresLab.isAvailable))
struct RealArchiveCatalogTests {
  @Test func seedLabWithTarAndPlainBackupsInADatedArchive() throws {
    let lab = try PostgresLab(name: "catalog-seed", archive: .gzipDated)
    defer { lab.removeExpectingNothingRunning() }
    let scenario = try InventariosScenario.run(in: lab)
    let plain = try lab.baseBackup(into: "2025/07/02", format: .plain, wal: .stream, label: "plain")
    try lab.switchWAL()

    let catalog = Catalog.scan(
      base: lab.backupsDirectory, wal: [lab.archiveDirectory], cache: .disabled)
    #expect(catalog.diagnostics.isEmpty, "\(catalog.diagnostics.map(\.message))")
    #expect(catalog.backups.map(\.id) == ["backup_db", "2025/07/02"])
    let tar = catalog.backups[0]
    #expect(tar.path == scenario.backupPath)
    #expect(tar.format == .tar)
    #expect(tar.compression == "gzip")
    #expect(tar.pgVersion == PostgresLab.majorVersion)
    #expect(tar.timezone == PostgresLab.timezone)
    #expect(tar.control?.systemIdentifier == scenario.systemIdentifier)
    #expect(tar.control?.maxConnections == 20)
    #expect(!tar.includedSegments.isEmpty)
    #expect(tar.stop?.source == .backupHistoryFile)
    guard case .verified(let manifest) = tar.manifest else {
      Issue.record("the tar backup's manifest did not verify: \(tar.manifest)")
      return
    }
    #expect(manifest.walRanges.first?.end == tar.stop?.lsn)
    #expect(catalog.backups[1].path == plain)
    #expect(catalog.backups[1].format == .plain)
    #expect(catalog.backups[1].label.label == "plain")

    let archive = catalog.archive
    #expect(archive.systemIdentifier == scenario.systemIdentifier)
    #expect(archive.majorVersion == PostgresLab.majorVersion)
    #expect(archive.segmentSize == .sixteenMiB)
    #expect(archive.segments.allSatisfy { $0.compression == "gzip" })
    #expect(archive.timelines.map(\.timeline) == [TimelineID(1)])
    #expect(archive.timelines.first?.gaps.isEmpty == true)
    #expect(archive.backupHistoryFiles.count == 2)

    // Both backups can reach past the DELETE on timeline 1.
    let delete = try #require(LSN(scenario.deleteLSN))
    #expect(catalog.windows.count == 2)
    for window in catalog.windows {
      #expect(window.status == .restorable)
      #expect(window.timeline == TimelineID(1))
      #expect(window.chosenByLatest)
    }
    #expect(catalog.windows[0].start == tar.stop?.lsn)
    #expect(catalog.windows[0].end > delete)
    // The window reaches, in time, the DELETE's commit: the last transaction of the WAL.
    let last = try #require(catalog.windows[0].lastTransaction)
    #expect(last.transactionID == scenario.deleteXid)
    #expect(last.time.microsecondsSince2000 == scenario.deleteCommitTimestamp)
  }

  @Test func promotionCreatesTimelineTwoAndAStrayHistoryIsFlagged() throws {
    let lab = try PostgresLab(name: "catalog-timelines", archive: .gzipFlat)
    defer { lab.removeExpectingNothingRunning() }
    let scenario = try InventariosScenario.run(in: lab)
    // Restore to the restore point and promote: the clone archives 00000002.history and its
    // own segments into the same archive, as the notebook's first restore did.
    let clone = try lab.restore(
      backup: scenario.backupPath,
      recovery: ["recovery_target_name": "test_pirt", "recovery_target_action": "promote"])
    try clone.switchWAL()
    try clone.stop()
    // The primary goes on writing timeline 1 after the fork, then takes a new backup.
    try lab.sql("CHECKPOINT")
    let later = try lab.baseBackup(
      into: "later", format: .tar(compression: .serverGzip), wal: .stream, label: "later")
    try lab.switchWAL()

    let catalog = Catalog.scan(
      base: lab.backupsDirectory, wal: [lab.archiveDirectory], cache: .disabled)
    let two = try #require(catalog.timelines.first { $0.timeline == TimelineID(2) })
    #expect(two.parent == TimelineID(1))
    #expect(two.switchLSN == LSN(scenario.restorePointLSN))
    #expect(two.reason == "at restore point \"test_pirt\"")
    #expect(two.segmentCount >= 1)
    #expect(two.parentContinuesPastFork)

    // The seed backup precedes the fork: it can follow timeline 1 or 2, and 'latest' picks 2.
    let seedWindows = catalog.windows.filter { $0.backupID == "backup_db" }
    #expect(seedWindows.map(\.timeline) == [TimelineID(1), TimelineID(2)])
    #expect(seedWindows.map(\.chosenByLatest) == [false, true])
    #expect(seedWindows.allSatisfy { $0.status == .restorable })

    // The later backup is after the fork on timeline 1: timeline 2 is not its history, and
    // 'latest' would fail, as PostgreSQL's own FATAL says.
    let laterWindows = catalog.windows.filter { $0.backupID == "later" }
    #expect(laterWindows.map(\.timeline) == [TimelineID(1)])
    let warning = try #require(catalog.diagnostics.first { $0.location == .file(later) })
    #expect(warning.severity == .warning)
    #expect(
      warning.message.hasPrefix(
        "backup later: with 'timeline: latest' PostgreSQL would follow timeline 2, which forked "
          + "from timeline 1 at \(scenario.restorePointLSN)"))
  }

  @Test func aForkWhoseParentGoesOnOnlyInsideTheForkSegmentIsASideBranch() throws {
    // Timeline 1 commits and makes the restore point `abandoned` after the switch point, in
    // the very segment that holds it, and writes nothing later: only reading that segment
    // shows that timeline 2 is a side branch.
    let lab = try PostgresLab(name: "catalog-fork-in-segment", archive: .gzipFlat)
    defer { lab.remove() }
    let scenario = try TimelineForkScenario.run(in: lab)
    #expect(scenario.forkWALFileOnTimeline1.hasPrefix("00000001"))
    let catalog = Catalog.scan(
      base: lab.backupsDirectory, wal: [lab.archiveDirectory], cache: .disabled)
    let two = try #require(catalog.timelines.first { $0.timeline == TimelineID(2) })
    #expect(two.switchLSN == LSN(scenario.switchLSN))
    // Nothing on timeline 1 after the fork's segment (the lab sets no archive_timeout).
    let lastOnOne = catalog.archive.timelines.first { $0.timeline == TimelineID(1) }?.last
    #expect(lastOnOne?.description == scenario.forkWALFileOnTimeline1)
    #expect(two.parentContinuesPastFork)
  }

  @Test func strayHistoryFileThatDoesNotFitTheOthers() throws {
    let lab = try PostgresLab(name: "catalog-stray", archive: .plainFlat)
    defer { lab.removeExpectingNothingRunning() }
    try lab.sql("CREATE TABLE t AS SELECT generate_series(1, 1000) AS i")
    try lab.switchWAL()
    try lab.switchWAL()
    let backup = try lab.baseBackup(
      into: "b", format: .tar(compression: .none), wal: .stream, label: "after")
    try lab.switchWAL()
    // A history file from some other restore, forked long before this backup.
    try lab.writeStrayHistoryFile(timeline: 2, contents: "1\t0/1000000\tno recovery target specified\n")
    let catalog = Catalog.scan(
      base: lab.backupsDirectory, wal: [lab.archiveDirectory], cache: .disabled)
    #expect(catalog.backups.first?.compression == "none")
    #expect(catalog.timelines.last?.parentContinuesPastFork == true)
    #expect(catalog.windows.map(\.chosenByLatest) == [false])
    #expect(
      catalog.diagnostics.contains {
        $0.location == .file(backup) && $0.message.contains("Use 'timeline: current' (or 1)")
      })
  }
}
