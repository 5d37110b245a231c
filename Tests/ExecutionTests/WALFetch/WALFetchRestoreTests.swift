import Foundation
import Testing
import _PITRTestSupport

#if canImport(Glibc)
  import Glibc
#endif

/// A real PostgreSQL 15 recovery whose `restore_command` is `pitr wal-fetch`, over the
/// dated, gzip'd archive of seed 001's scenario.
@Suite(.tags(.integration), .enabled(if: PostgresLab.isAvailable))
struct WALFetchRestoreTests {
  @Test(.timeLimit(.minutes(3)))
  func postgresRecoversToTheRestorePointThroughWALFetch() throws {
    let lab = try PostgresLab(name: "wal-fetch", archive: .gzipDated)
    defer { lab.remove() }
    let scenario = try InventariosScenario.run(in: lab)
    let spool = try Self.spool(in: lab)
    let restored = try lab.restore(
      backup: scenario.backupPath,
      recovery: [
        "restore_command": try Self.restoreCommand(lab, scenario, spool: spool),
        "recovery_target_name": scenario.restorePointName,
        "recovery_target_action": "promote",
      ],
      archiveIntoSameArchive: false)

    #expect(try restored.sql("SELECT count(*) FROM inventarios", database: "test") == "11")
    #expect(try restored.sql("SELECT timeline_id FROM pg_control_checkpoint()") == "2")
    let log = restored.log()
    #expect(log.contains("recovery stopping at restore point \"test_pirt\""), "\(log)")
    #expect(log.contains("restored log file \"\(scenario.insertWALFile)\" from archive"), "\(log)")
    let restoredSegments = log.split(separator: "\n").filter { $0.contains("restored log file") }
    #expect(restoredSegments.count >= 2, "\(log)")
    // The probes for timeline 2's history file were quiet misses, and nothing was refused.
    #expect(log.contains("pitr wal-fetch: 00000002.history: not in \(lab.archiveDirectory)\n"))
    #expect(!log.contains("pitr wal-fetch: error"), "\(log)")
    #expect(FileManager.default.fileExists(atPath: "\(spool)/index"))
  }

  @Test(.timeLimit(.minutes(3)))
  func aDamagedSegmentStopsRecoveryWithTheReasonInTheLog() throws {
    let lab = try PostgresLab(name: "wal-fetch-bad", archive: .gzipDated)
    defer { lab.remove() }
    let scenario = try InventariosScenario.run(in: lab)
    // The segment holding the restore point, archived with another segment's address.
    let name = scenario.insertWALFile
    let copy = try lab.archive.decompressedCopy(of: name, into: lab.directory.file("check"))
    var bytes = try Array(Data(contentsOf: URL(fileURLWithPath: copy)))
    bytes[10] ^= 0x01
    try FileManager.default.removeItem(atPath: try #require(lab.archive.path(of: name)))
    let damaged = try lab.archive.write(bytes, as: name)

    let restored = try lab.restore(
      backup: scenario.backupPath,
      recovery: [
        "restore_command": try Self.restoreCommand(lab, scenario, spool: try Self.spool(in: lab)),
        "recovery_target_name": scenario.restorePointName,
        "recovery_target_action": "promote",
      ],
      archiveIntoSameArchive: false, expecting: .failed)
    let log = restored.log()
    #expect(log.contains("pitr wal-fetch: error: \(damaged): xlp_pageaddr is "), "\(log)")
    // Exit 200 is fatal to PostgreSQL: recovery stops instead of treating the file as missing.
    #expect(
      log.contains("FATAL:  could not restore file \"\(name)\" from archive: child process exited with exit code 200"),
      "\(log)")
    #expect(!log.contains("recovery ended before configured recovery target was reached"), "\(log)")
  }

  /// A spool the server (which runs restore_command as `postgres`) can write into.
  static func spool(in lab: PostgresLab) throws -> String {
    let spool = lab.directory.file("fetch-spool")
    try FileManager.default.createDirectory(atPath: spool, withIntermediateDirectories: true)
    let user = try #require(getpwnam("postgres"))
    #expect(chown(spool, user.pointee.pw_uid, user.pointee.pw_gid) == 0)
    return spool
  }

  /// `<built pitr> wal-fetch --wal <archive> --spool <spool> --system-identifier N %f %p`
  /// (the lab's paths need no quoting).
  static func restoreCommand(
    _ lab: PostgresLab, _ scenario: InventariosScenario, spool: String
  ) throws -> String {
    let pitr = RepositoryPaths.pitrExecutable
    #expect(access(pitr, X_OK) == 0, "\(pitr) is not executable")
    return [
      pitr, "wal-fetch", "--wal", lab.archiveDirectory, "--spool", spool,
      "--system-identifier", String(scenario.systemIdentifier), "%f", "%p",
    ].joined(separator: " ")
  }
}
