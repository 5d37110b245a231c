import Catalog
import Compiler
import Execution
import Foundation
import Testing
import _PITRTestSupport

/// The majors with incremental backups (17+) whose programs are here.
private let chainMajors = PostgresLab.availableMajors.filter { $0 >= 17 }

/// Incremental chains restored live (17+): a full backup and two `pg_basebackup
/// --incremental` ones with writes between them; `auto` combines the chain with
/// pg_combinebackup and recovery reaches a target after the last one; with the middle
/// incremental removed, auto falls back to the full backup and naming the last is refused.
@Suite(.tags(.integration), .enabled(if: !chainMajors.isEmpty))
struct ApplyIncrementalChainTests {
  @Test(arguments: chainMajors)
  func chainIsCombinedAndRestored(major: Int) throws {
    let binaries = try #require(PostgresLab.binaries(major: major))
    try PostgresLab.$binaryDirectory.withValue(binaries) { try run(binaries: binaries) }
  }

  private func run(binaries: String) throws {
    let lab = try PostgresLab(name: "chain", archive: .gzipFlat, settings: ["summarize_wal": "on"])
    defer { lab.remove() }
    try lab.sql("CREATE TABLE t (i int, phase text)")
    try lab.sql("INSERT INTO t SELECT g, 'full' FROM generate_series(1, 1000) g")
    try lab.baseBackup(into: "full", format: .tar(compression: .clientGzip), label: "full")
    try lab.sql("INSERT INTO t SELECT g, 'incr1' FROM generate_series(1, 100) g")
    try lab.sql("UPDATE t SET i = -i WHERE i <= 10 AND phase = 'full'")
    try lab.baseBackup(
      into: "incr1", format: .tar(compression: .none), label: "incr1", incrementalFrom: "full")
    try lab.sql("INSERT INTO t SELECT g, 'incr2' FROM generate_series(1, 10) g")
    try lab.sql("DELETE FROM t WHERE i BETWEEN 500 AND 599")
    try lab.baseBackup(into: "incr2", format: .plain, label: "incr2", incrementalFrom: "incr1")
    try lab.sql("INSERT INTO t VALUES (7777, 'after')")
    try lab.sql("SELECT pg_create_restore_point('after_incr2')")
    try lab.sql("INSERT INTO t VALUES (8888, 'later')")
    try lab.switchWAL()
    try lab.stop()
    let expected = "1011|10|100|1|-55"
    let rows =
      "SELECT count(*), count(*) FILTER (WHERE phase = 'incr2'), count(*) FILTER (WHERE phase = 'incr1'), "
      + "count(*) FILTER (WHERE phase = 'after'), sum(i) FILTER (WHERE i < 0) FROM t"

    // The whole chain: combined, then recovered to the restore point.
    let restore = try ApplyRestore(sandbox: RestoreSandbox(in: lab.directory.path, name: "chain")) { sandbox in
      ApplyHarness.planText(
        base: lab.backupsDirectory, wal: lab.archiveDirectory, target: "  name: after_incr2", sandbox: sandbox,
        destination: "  bin_dir: \(binaries)")
    }
    defer { restore.remove() }
    #expect(restore.plan.backup.id == "incr2")
    #expect(restore.plan.alternatives.map(\.id) == ["incr1", "full"])
    let combine = try #require(restore.plan.graph.ordered.first { $0.kind == .combineBackups })
    #expect(combine.details.first == "the chain, full backup first: full -> incr1 -> incr2")
    #expect(!restore.plan.graph.ordered.contains { $0.kind == .extractBase })
    let report = try restore.run()
    #expect(report.outcome == .promoted)
    #expect(report.predictionMatched, "logged \(report.loggedStop ?? "nothing")")
    #expect(try restore.sql(rows) == expected)
    #expect(!FileManager.default.fileExists(atPath: "\(restore.sandbox.stateDirectory)/combine"))
    #expect(restore.observer.notes.contains { $0.hasPrefix("combined full -> incr1 -> incr2 into ") })

    // The middle incremental gone: auto falls back to the full backup, same rows.
    try FileManager.default.moveItem(
      atPath: "\(lab.backupsDirectory)/incr1", toPath: "\(lab.directory.path)/incr1-moved")
    let fallback = try ApplyRestore(sandbox: RestoreSandbox(in: lab.directory.path, name: "fall")) { sandbox in
      ApplyHarness.planText(
        base: lab.backupsDirectory, wal: lab.archiveDirectory, target: "  name: after_incr2", sandbox: sandbox,
        destination: "  bin_dir: \(binaries)")
    }
    defer { fallback.remove() }
    #expect(fallback.plan.backup.id == "full")
    let catalog = Catalog.scan(base: lab.backupsDirectory, wal: [lab.archiveDirectory], cache: .disabled)
    let incr2 = try #require(catalog.backups.first { $0.id == "incr2" })
    let problem = try #require(catalog.incrementalProblem(of: incr2))
    let full = try #require(catalog.backups.first { $0.id == "full" })
    #expect(fallback.plan.alternatives.first?.verdict == problem)
    #expect(problem.hasPrefix("an incremental backup (INCREMENTAL FROM LSN "))
    #expect(problem.contains("whose chain is broken: the backup incr2 builds on is missing"))
    #expect(!problem.contains(full.label.startLSN.description))
    let fallbackReport = try fallback.run()
    #expect(fallbackReport.outcome == .promoted)
    #expect(try fallback.sql(rows) == expected)

    // Naming the broken chain's last backup is refused.
    let sandbox = try RestoreSandbox(in: lab.directory.path, name: "sel")
    defer { sandbox.remove() }
    var yaml = ApplyHarness.planText(
      base: lab.backupsDirectory, wal: lab.archiveDirectory, target: "  name: after_incr2", sandbox: sandbox,
      destination: "  bin_dir: \(binaries)")
    yaml = yaml.replacingOccurrences(
      of: "  wal: \(lab.archiveDirectory)\n", with: "  wal: \(lab.archiveDirectory)\n  select: incr2\n")
    let selected = try ApplyHarness.compilation(yaml)
    #expect(selected.compiled == nil)
    #expect(
      selected.diagnostics.filter { $0.severity == .error }.map(\.message) == [
        "backup incr2 is \(problem); select full or 'select: auto'"
      ])
  }
}
