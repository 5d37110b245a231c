import Catalog
import Compiler
import Foundation
import PlanModel
import PostgresVocabulary
import Testing
import _PITRTestSupport

/// The majors with incremental backups (17+) whose programs are here.
private let incrementalMajors = PostgresLab.availableMajors.filter { $0 >= 17 }

/// Real incremental backups (`pg_basebackup --incremental`, PostgreSQL 17+): the catalog
/// marks them and links each to its parent, `select: auto` chooses the newest chain, and
/// selecting one chooses its chain. Runs with every major from 17 up that `PostgresLab.binaries(major:)`
/// finds (the cached builds of `scripts/postgres-servers`, or `PITR_TEST_BINDIR`).
@Suite(.tags(.integration), .enabled(if: !incrementalMajors.isEmpty))
struct IncrementalBackupPostgresTests {
  @Test(arguments: incrementalMajors)
  func incrementalBackupsAreCataloguedAndChainsChosen(major: Int) throws {
    let binaries = try #require(PostgresLab.binaries(major: major))
    try PostgresLab.$binaryDirectory.withValue(binaries) { try run(major: major) }
  }

  private func run(major: Int) throws {
    let lab = try PostgresLab(
      name: "incremental-\(major)", archive: .gzipFlat, settings: ["summarize_wal": "on"])
    defer { lab.remove() }
    try lab.sql("CREATE TABLE t AS SELECT generate_series(1, 1000) AS i")
    try lab.baseBackup(into: "full", format: .tar(compression: .none), label: "full")
    try lab.sql("UPDATE t SET i = i + 1 WHERE i < 10")
    try lab.baseBackup(
      into: "incr1", format: .tar(compression: .none), label: "incr1", incrementalFrom: "full")
    try lab.sql("INSERT INTO t VALUES (5000)")
    try lab.baseBackup(into: "incr2", format: .plain, label: "incr2", incrementalFrom: "incr1")
    try lab.sql("INSERT INTO t VALUES (5001)")
    try lab.switchWAL()

    let catalog = Catalog.scan(base: lab.backupsDirectory, wal: [lab.archiveDirectory], cache: .disabled)
    #expect(catalog.diagnostics.filter { $0.severity != .note }.isEmpty, "\(catalog.diagnostics)")
    #expect(catalog.backups.map(\.id) == ["full", "incr1", "incr2"])
    let (full, incr1, incr2) = (catalog.backups[0], catalog.backups[1], catalog.backups[2])
    #expect(full.incremental == nil)
    #expect(incr1.incremental?.parent == "full")
    #expect(incr1.incremental?.fromLSN == full.label.startLSN)
    #expect(incr1.incremental?.fromTimeline == full.label.startTimeline)
    #expect((incr1.incremental?.incrementalFiles ?? 0) > 0)
    #expect(incr2.incremental?.parent == "incr1")
    #expect((incr2.incremental?.incrementalFiles ?? 0) > 0)
    for backup in catalog.backups {
      #expect(backup.pgVersion == major)
      #expect(backup.control?.majorVersion == major)
      // 17+ write manifest version 2, with the system identifier.
      guard case .verified(let manifest) = backup.manifest else {
        Issue.record("manifest of \(backup.id) not verified: \(backup.manifest)")
        continue
      }
      #expect(manifest.version == 2)
      #expect(manifest.systemIdentifier == backup.control?.systemIdentifier)
    }
    // A complete chain restores as its last backup would: each has its windows.
    #expect(Set(catalog.windows.map(\.backupID)) == ["full", "incr1", "incr2"])
    #expect(catalog.incrementalProblem(of: incr2) == nil)
    #expect(catalog.chain(of: incr2).backups.map(\.id) == ["full", "incr1", "incr2"])

    // auto: the newest chain, combined.
    var environment = FixedEnvironment()
    environment.binaries = ServerBinaries(
      directory: "/usr/lib/postgresql/\(major)/bin", majorVersion: major, problem: nil)
    // The folder the lab's servers (and so the handed-over restore) make their socket in.
    environment.directories[lab.socketDirectory] = .empty
    let auto = compile(
      planText(base: lab.backupsDirectory, wal: lab.archiveDirectory, target: "  latest: true"),
      base: lab.backupsDirectory, wal: [lab.archiveDirectory], environment: environment)
    let compiled = try #require(auto?.compiled, "\(auto?.diagnostics.map(\.message) ?? [])")
    #expect(compiled.backup.id == "incr2")
    #expect(compiled.alternatives.map(\.id) == ["incr1", "full"])
    #expect(compiled.graph.ordered.contains { $0.kind == .combineBackups })

    // Naming the middle one chooses the chain full, incr1.
    var yaml = planText(base: lab.backupsDirectory, wal: lab.archiveDirectory, target: "  latest: true")
    yaml = yaml.replacingOccurrences(
      of: "  wal: \(lab.archiveDirectory)\n", with: "  wal: \(lab.archiveDirectory)\n  select: incr1\n")
    let selected = try #require(
      compile(yaml, base: lab.backupsDirectory, wal: [lab.archiveDirectory], environment: environment))
    let chosen = try #require(selected.compiled, "\(selected.diagnostics.map(\.message))")
    #expect(chosen.backup.id == "incr1")
    let step = try #require(chosen.graph.ordered.first { $0.kind == .combineBackups })
    #expect(step.details.first == "the chain, full backup first: full -> incr1")
  }
}
