import Foundation
import Testing
import _PITRTestSupport

/// The two failures the seed notebooks hit, refused by `pitr validate` before anything is
/// touched, with exit 2 and a message that says how to fix them.
@Suite(.tags(.integration), .enabled(if: PostgresLab.isAvailable))
struct SeedFailureTests {
  @Test func targetBeforeTheBackupsEnd() throws {
    let lab = try PostgresLab(name: "seed-early", archive: .gzipFlat)
    defer { lab.remove() }
    try lab.sql("CREATE TABLE early (i int)")
    let before = try lab.sql("SELECT clock_timestamp()")
    usleep(20_000)
    try lab.sql("INSERT INTO early VALUES (1)")
    _ = try lab.baseBackup(into: "b", format: .tar(compression: .serverGzip), wal: .stream, label: "b")
    try lab.sql("INSERT INTO early VALUES (2)")
    try lab.switchWAL()
    let path = try writeLabPlan(lab, target: "  time: \"\(before)\"")
    let result = try pitr("validate", path, "--no-cache")
    #expect(result.status == 2)
    #expect(result.standardError.contains("\(path):6:3: error: backup b already holds transaction"))
    #expect(result.standardError.contains("recovery cannot go back in time"))
    #expect(
      result.standardError.contains("no backup is older, so the earliest time target this repository can reach is "))
  }

  @Test func targetWhoseWALWasNeverArchived() throws {
    let lab = try PostgresLab(name: "seed-unarchived", archive: .gzipFlat)
    defer { lab.remove() }
    _ = try lab.baseBackup(into: "b", format: .tar(compression: .serverGzip), wal: .stream, label: "b")
    try lab.sql("CREATE TABLE late (i int)")
    try lab.sql("INSERT INTO late VALUES (1)")
    let after = try lab.sql("SELECT clock_timestamp()")
    // No pg_switch_wal(): the segment holding the insert is still open, not archived.
    let path = try writeLabPlan(lab, target: "  time: \"\(after)\"")
    let result = try pitr("validate", path, "--no-cache")
    #expect(result.status == 2)
    #expect(result.standardError.contains("\(path):6:3: error: the archived WAL on timeline 1 ends at"))
    #expect(result.standardError.contains("recovery ended before configured recovery target was reached"))
    #expect(
      result.standardError.contains(
        "archive the newest WAL first: run pg_switch_wal() on the source, then validate again (with "
          + "source.switch_wal: true, pitr apply runs it itself before it checks the plan)"))
  }
}
