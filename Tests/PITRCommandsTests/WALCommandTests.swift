import Foundation
import Testing
import WAL
import _PITRTestSupport

/// `pitr wal find` and `pitr wal restore-points` on the seed 001 lab: find the accidental
/// DELETE and the target just before it.
@Suite(.tags(.integration), .enabled(if: PostgresLab.isAvailable))
struct WALCommandTests {
  @Test func findsTheDeleteAndPrintsTheTargetsBeforeIt() throws {
    let lab = try PostgresLab(name: "wal-find", archive: .gzipDated)
    defer { lab.remove() }
    let scenario = try InventariosScenario.run(in: lab)
    let source = "host=\(lab.socketDirectory) port=\(lab.port) user=postgres"
    let result = try pitr(
      "wal", "find", "--wal", lab.archiveDirectory, "--no-cache", "--table",
      "test.public.inventarios", "--source", source, "--kind", "delete")
    #expect(result.status == 0, "\(result.standardError)")
    let lines = result.standardOutput.split(separator: "\n")
    #expect(lines.filter { $0.contains(" delete ") }.count == 11)
    #expect(lines.allSatisfy { !$0.contains(" insert ") })
    // wal find writes times in UTC; psql gave the time in the server's zone.
    let deleteTime = try #require(PostgresTimestamp(postgresText: scenario.deleteCommitTime)).description
    #expect(
      result.standardOutput.contains(
        """
          target:
            xid: \(scenario.deleteXid)
            inclusive: false
        """))
    #expect(result.standardOutput.contains("To restore to just before transaction \(scenario.deleteXid)"))
    #expect(result.standardOutput.contains("time: \"\(deleteTime)\""), "\(deleteTime) in \(result.standardOutput)")
    #expect(result.standardError.hasPrefix("pitr: read timeline 1 up to the end of WAL"))
  }

  @Test func byTransactionAndByTimeWindow() throws {
    let lab = try PostgresLab(name: "wal-find-xid", archive: .gzipFlat)
    defer { lab.remove() }
    let scenario = try InventariosScenario.run(in: lab)
    let byXid = try pitr(
      "wal", "find", "--wal", lab.archiveDirectory, "--no-cache", "--xid", String(scenario.insertXid),
      "--json")
    #expect(byXid.status == 0)
    let events = try WALFindLines.events(byXid.standardOutput)
    #expect(events.contains { $0["kind"] as? String == "insert" })
    #expect(
      events.contains { $0["kind"] as? String == "commit" && $0["transactionID"] as? Int == Int(scenario.insertXid) })
    #expect(events.allSatisfy { ($0["transactionID"] as? Int) == Int(scenario.insertXid) })

    let window = try pitr(
      "wal", "find", "--wal", lab.archiveDirectory, "--no-cache", "--kind", "commit",
      "--from", scenario.deleteCommitTime,
      "--to", "2100-01-01 00:00:00+00")
    #expect(window.status == 0)
    let commits = window.standardOutput.split(separator: "\n").filter { $0.contains(" commit ") }
    #expect(commits.count == 1)
    #expect(commits.first?.contains(" \(scenario.deleteXid) ") == true)
  }

  /// With the backups, the commits of initdb and of the transaction before the backup are left
  /// out (no restore can stop there); `--all` lists them.
  @Test func withTheBackupsOnlyWhatARestoreReachesIsListed() throws {
    let lab = try PostgresLab(name: "wal-find-base", archive: .plainFlat)
    defer { lab.remove() }
    let scenario = try InventariosScenario.run(in: lab)
    func commits(_ output: String) -> [UInt32] {
      output.split(separator: "\n").compactMap { line in
        let cells = line.split(separator: " ", omittingEmptySubsequences: true)
        return cells.count > 2 && cells[1] == "commit" ? UInt32(cells[2]) : nil
      }
    }
    let reached = try pitr(
      "wal", "find", "--wal", lab.archiveDirectory, "--base", lab.backupsDirectory, "--no-cache",
      "--kind", "commit")
    #expect(reached.status == 0, "\(reached.standardError)")
    let all = try pitr(
      "wal", "find", "--wal", lab.archiveDirectory, "--base", lab.backupsDirectory, "--no-cache",
      "--kind", "commit", "--all")
    #expect(all.status == 0, "\(all.standardError)")
    let (shown, every) = (commits(reached.standardOutput), commits(all.standardOutput))
    #expect(shown.contains(scenario.insertXid) && shown.contains(scenario.deleteXid))
    #expect(!shown.contains(scenario.initialRowsXid) && every.contains(scenario.initialRowsXid))
    // initdb's transactions, before the table's.
    let initdb = every.filter { $0 < scenario.initialRowsXid }
    #expect(initdb.count > 10 && shown.allSatisfy { $0 > scenario.initialRowsXid })
    let leftOut = every.count - shown.count
    #expect(
      reached.standardError.split(separator: "\n").last.map(String.init)
        == "pitr: \(leftOut < 1000 ? "\(leftOut)" : "\(leftOut / 1000),\(String(format: "%03d", leftOut % 1000))") "
        + "events outside every restorable window of the backups left out (--all shows them)")
    #expect(!all.standardError.contains("left out"))
  }

  @Test func restorePointsAreListed() throws {
    let lab = try PostgresLab(name: "wal-rp", archive: .plainFlat)
    defer { lab.remove() }
    try lab.sql("SELECT pg_create_restore_point('first')")
    try lab.sql("SELECT pg_create_restore_point('again')")
    try lab.sql("SELECT pg_create_restore_point('first')")
    try lab.switchWAL()
    let result = try pitr("wal", "restore-points", "--wal", lab.archiveDirectory, "--no-cache")
    #expect(result.status == 0)
    let rows = result.standardOutput.split(separator: "\n").dropFirst().map {
      $0.split(separator: " ", omittingEmptySubsequences: true).first.map(String.init) ?? ""
    }
    #expect(rows == ["first", "again", "first"])
    #expect(result.standardOutput.contains("duplicate: recovery stops at the first"))
  }

  @Test func timesNeedAZone() throws {
    let result = try pitr("wal", "find", "--wal", "/tmp", "--from", "2025-12-24 17:53:00")
    #expect(result.status == 64)
    #expect(result.standardError.contains("'2025-12-24 17:53:00' has no zone; add one"))
  }
}
