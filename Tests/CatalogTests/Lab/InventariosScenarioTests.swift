import Foundation
import Testing
import WAL
import _PITRTestSupport

/// Seed 001's `inventarios` lab on a real server: the facts the scenario measures hang
/// together, and agree with what `pg_waldump` reads from the archived segments.
@Suite(.tags(.integration), .enabled(if: PostgresLab.isAvailable))
struct InventariosScenarioTests {
  @Test(.timeLimit(.minutes(3)))
  func factsAreConsistentAndTheArchiveIsFlatGzip() throws {
    let lab = try PostgresLab(name: "inventarios-facts", archive: .gzipFlat)
    defer { lab.removeExpectingNothingRunning() }
    let scenario = try InventariosScenario.run(in: lab)

    #expect(scenario.initialRowsXid < scenario.probeXid)
    #expect(scenario.probeXid < scenario.insertXid)
    #expect(scenario.insertXid < scenario.deleteXid)
    #expect(scenario.insertCommitTimestamp < scenario.deleteCommitTimestamp)
    #expect(microsecondsSince2000(scenario.insertCommitTime) == scenario.insertCommitTimestamp)
    #expect(microsecondsSince2000(scenario.deleteCommitTime) == scenario.deleteCommitTimestamp)
    let now = (Int64(Date().timeIntervalSince1970) - 946_684_800) * 1_000_000
    #expect(abs(now - scenario.deleteCommitTimestamp) < 600_000_000)
    #expect(lsnValue(scenario.insertLSN) < lsnValue(scenario.restorePointLSN))
    #expect(lsnValue(scenario.restorePointLSN) <= lsnValue(scenario.firstSwitchLSN))
    #expect(lsnValue(scenario.firstSwitchLSN) < lsnValue(scenario.deleteLSN))
    #expect(lsnValue(scenario.deleteLSN) <= lsnValue(scenario.secondSwitchLSN))
    #expect(scenario.restorePointName == "test_pirt")
    #expect(scenario.insertWALFile < scenario.deleteWALFile)
    #expect(scenario.timezone == PostgresLab.timezone)
    // psql's text, in the server's zone: the same instant as the commit timestamp.
    #expect(
      PostgresTimestamp(postgresText: scenario.insertCommitTime)?.microsecondsSince2000
        == scenario.insertCommitTimestamp)
    let control = try lab.primary.controlData()
    #expect(control["Database system identifier"] == String(scenario.systemIdentifier))

    // The table as the notebook leaves it: every row deleted.
    #expect(try lab.sql("SELECT count(*) FROM inventarios", database: "test") == "0")

    // -Ft -Xs -Z server-gzip: the server gzips base.tar, the streamed pg_wal.tar is plain.
    let backupFiles = try FileManager.default.contentsOfDirectory(atPath: scenario.backupPath)
    #expect(Set(backupFiles) == ["backup_manifest", "base.tar.gz", "pg_wal.tar"])
    #expect(
      scenario.backupFormat.expectedFiles(wal: .stream).allSatisfy(backupFiles.contains))

    // gzip'd, flat: every file is <name>.gz at the top of the archive.
    let stored = lab.archive.storedPaths()
    #expect(stored.allSatisfy { !$0.contains("/") && $0.hasSuffix(".gz") })
    for name in [scenario.insertWALFile, scenario.deleteWALFile] {
      #expect(stored.contains("\(name).gz"))
      #expect(lab.archive.path(of: name) == "\(lab.archiveDirectory)/\(name).gz")
    }
    #expect(lab.archive.fileNames().contains { $0.hasSuffix(".backup") })
  }

  @Test(.timeLimit(.minutes(3)))
  func waldumpAgreesWithTheScenario() throws {
    let lab = try PostgresLab(name: "inventarios-waldump", archive: .gzipFlat)
    defer { lab.removeExpectingNothingRunning() }
    let scenario = try InventariosScenario.run(
      in: lab, backupFormat: .tar(compression: .clientGzip))
    let backupFiles = try FileManager.default.contentsOfDirectory(atPath: scenario.backupPath)
    #expect(Set(backupFiles) == ["backup_manifest", "base.tar.gz", "pg_wal.tar.gz"])

    let first = try lab.waldump(scenario.insertWALFile)
    let probe = try #require(first.first { $0.isCommit && $0.transactionID == scenario.probeXid })
    let commit = try #require(
      first.first { $0.isCommit && $0.transactionID == scenario.insertXid })
    let time = try #require(commit.transactionTime)
    #expect(microsecondsSince2000(time) == scenario.insertCommitTimestamp)
    #expect(time == Self.waldumpStyle(scenario.insertCommitTime))
    #expect(probe.lsn < commit.lsn)
    #expect(
      first.contains {
        $0.resourceManager == "Heap" && $0.transactionID == scenario.insertXid
          && $0.description.hasPrefix("INSERT") && $0.lsn < commit.lsn
      })
    #expect(commit.lsn + UInt64(commit.totalLength) <= lsnValue(scenario.insertLSN))
    let restorePoint = try #require(
      first.first { $0.description == "RESTORE_POINT \(scenario.restorePointName)" })
    #expect(commit.lsn < restorePoint.lsn)
    #expect(restorePoint.lsn < lsnValue(scenario.restorePointLSN))
    #expect(first.last?.description.hasPrefix("SWITCH") == true)

    let second = try lab.waldump(scenario.deleteWALFile)
    let deletes = second.filter {
      $0.resourceManager == "Heap" && $0.transactionID == scenario.deleteXid
        && $0.description.hasPrefix("DELETE")
    }
    #expect(deletes.count == 11)
    let deleteCommit = try #require(
      second.first { $0.isCommit && $0.transactionID == scenario.deleteXid })
    let deleteTime = try #require(deleteCommit.transactionTime)
    #expect(microsecondsSince2000(deleteTime) == scenario.deleteCommitTimestamp)
    #expect(deleteTime == Self.waldumpStyle(scenario.deleteCommitTime))
    #expect(deletes.allSatisfy { $0.lsn < deleteCommit.lsn })
    #expect(deleteCommit.lsn < lsnValue(scenario.deleteLSN))
    #expect(second.last?.description.hasPrefix("SWITCH") == true)
  }

  /// `2026-11-22 16:44:12.99673+00` (or the same instant at another offset) as `pg_waldump`
  /// prints it with `TZ=UTC`: `2026-11-22 16:44:12.996730 UTC`.
  static func waldumpStyle(_ text: String) -> String {
    guard let utc = PostgresTimestamp(postgresText: text)?.description else { return text }
    let clock = utc.dropLast(3)
    let parts = clock.split(separator: ".", omittingEmptySubsequences: false)
    let fraction = parts.count == 2 ? String(parts[1]) : ""
    return "\(parts[0]).\(fraction + String(repeating: "0", count: 6 - fraction.count)) UTC"
  }
}
