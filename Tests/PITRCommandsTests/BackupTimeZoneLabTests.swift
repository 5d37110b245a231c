import Foundation
import Testing
import _PITRTestSupport

/// A real server in America/Phoenix writes `START TIME: … MST` in backup_label and the
/// `.backup` file; `pitr catalog` prints those times with `-07`, as PostgreSQL prints a
/// timestamptz there, and such a time pasted into a plan's `target.time` validates: the
/// start of a backup (reached from it, or from the earlier one). (A backup's stop time is not a
/// target it can reach: written to the second, it is a little before the backup ends.)
@Suite(.tags(.integration), .enabled(if: PostgresLab.isAvailable))
struct BackupTimeZoneLabTests {
  @Test(.timeLimit(.minutes(3))) func catalogPrintsPhoenixTimesAPlanAccepts() throws {
    let zone = "America/Phoenix"
    let lab = try PostgresLab(
      name: "phoenix-times", archive: .plainFlat, settings: ["timezone": zone, "log_timezone": zone])
    defer { lab.remove() }
    try lab.sql("CREATE TABLE t (i int)")
    _ = try lab.baseBackup(into: "a", format: .tar(compression: .none), wal: .fetch, label: "first")
    Thread.sleep(forTimeInterval: 1.2)
    try lab.sql("INSERT INTO t VALUES (1)")
    Thread.sleep(forTimeInterval: 1.2)
    let backupPath = try lab.baseBackup(into: "b", format: .plain, wal: .fetch, label: "phoenix")
    let label = try String(contentsOfFile: "\(backupPath)/backup_label", encoding: .utf8)
    #expect(label.contains(" MST\n"), "\(label)")
    Thread.sleep(forTimeInterval: 1.2)
    try lab.sql("INSERT INTO t VALUES (2)")
    try lab.switchWAL()

    let result = try pitr("catalog", "--base", lab.backupsDirectory, "--wal", lab.archiveDirectory, "--no-cache")
    #expect(result.status == 0, "\(result.standardError)")
    let row = try #require(
      result.standardOutput.split(separator: "\n").first { $0.hasPrefix("  b  ") }.map(String.init))
    let times = row.matches(of: /\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}-07/).map { String($0.output) }
    #expect(times.count == 2, "\(row)")
    let (start, stop) = try (#require(times.first), #require(times.last))
    let written = try #require(label.firstMatch(of: /START TIME: (.*)\n/)?.1)
    #expect("\(start.dropLast(3)) MST" == String(written))
    #expect(result.standardOutput.contains(" (\(stop))  "), "the window starts at the stop time")

    let planPath = try writeLabPlan(lab, target: "  time: \"\(start)\"")
    let validated = try pitr("validate", "--no-cache", planPath, timeout: 120)
    #expect(validated.status == 0, "\(validated.standardOutput)\(validated.standardError)")
    #expect(
      validated.standardOutput.contains("  target:   time '\(start)', inclusive, timeline latest\n"),
      "\(validated.standardOutput)")
  }
}
