import Catalog
import Compiler
import Foundation
import PlanModel
import PostgresVocabulary
import Testing
import _PITRTestSupport

/// The majors with incremental backups (17+) whose programs are here.
private let incrementalMajors = PostgresLab.availableMajors.filter { $0 >= 17 }

/// Another cluster's incremental backup in the repository (17+): two clusters of their own
/// initdb (two system identifiers), B's incremental backup (taken from B's own full backup)
/// copied beside A's backups. `auto` never restores it, and `select:` naming it is refused
/// with the reason.
@Suite(.tags(.integration), .enabled(if: !incrementalMajors.isEmpty))
struct IncrementalBackupForeignClusterTests {
  @Test(arguments: incrementalMajors)
  func anotherClustersIncrementalIsRefused(major: Int) throws {
    let binaries = try #require(PostgresLab.binaries(major: major))
    try PostgresLab.$binaryDirectory.withValue(binaries) { try run(major: major) }
  }

  private func run(major: Int) throws {
    let settings = ["summarize_wal": "on"]
    let a = try PostgresLab(name: "cluster-a-\(major)", archive: .gzipFlat, settings: settings)
    defer { a.remove() }
    let b = try PostgresLab(name: "cluster-b-\(major)", archive: .gzipFlat, settings: settings)
    defer { b.remove() }
    // The same work on both, so that their LSNs may well be the same.
    for lab in [a, b] {
      try lab.sql("CREATE TABLE t AS SELECT generate_series(1, 1000) AS i")
      try lab.baseBackup(into: "full", format: .tar(compression: .none), label: "full")
      try lab.sql("UPDATE t SET i = i + 1 WHERE i < 10")
    }
    try b.baseBackup(into: "incr-b", format: .plain, label: "incr-b", incrementalFrom: "full")
    try FileManager.default.copyItem(atPath: "\(b.backupsDirectory)/incr-b", toPath: "\(a.backupsDirectory)/incr-b")
    try a.sql("INSERT INTO t VALUES (5000)")
    try a.switchWAL()

    let catalog = Catalog.scan(base: a.backupsDirectory, wal: [a.archiveDirectory], cache: .disabled)
    let full = try #require(catalog.backups.first { $0.id == "full" })
    let foreign = try #require(catalog.backups.first { $0.id == "incr-b" })
    let systemA = try #require(full.systemIdentifier)
    let systemB = try #require(foreign.systemIdentifier)
    #expect(systemA != systemB)
    #expect(foreign.incremental?.parent == nil)

    var environment = FixedEnvironment()
    environment.binaries = ServerBinaries(
      directory: "/usr/lib/postgresql/\(major)/bin", majorVersion: major, problem: nil)
    environment.directories[a.socketDirectory] = .empty
    let text = planText(base: a.backupsDirectory, wal: a.archiveDirectory, target: "  latest: true")
    // auto: A's own full backup, never B's incremental.
    let auto = try #require(
      compile(text, base: a.backupsDirectory, wal: [a.archiveDirectory], environment: environment))
    let compiled = try #require(auto.compiled, "\(auto.diagnostics.map(\.message))")
    #expect(compiled.backup.id == "full")
    #expect(!compiled.graph.ordered.contains { $0.kind == .combineBackups })
    let skipped = try #require(compiled.alternatives.first { $0.id == "incr-b" })
    let mismatch = "comes from another cluster: system identifier \(systemB), while the WAL archive's is \(systemA)"
    #expect(skipped.verdict == mismatch)

    // Naming it: a located error with the reason. Its INCREMENTAL FROM LSN may well be
    // where A's full backup starts, but that one is another cluster's.
    let yaml = text.replacingOccurrences(
      of: "  wal: \(a.archiveDirectory)\n", with: "  wal: \(a.archiveDirectory)\n  select: incr-b\n")
    let selected = try #require(
      compile(yaml, base: a.backupsDirectory, wal: [a.archiveDirectory], environment: environment))
    #expect(selected.compiled == nil)
    let errors = selected.diagnostics.filter { $0.severity == .error }
    #expect(
      errors.map { "\($0.location.map { "\($0)" } ?? "-"): \($0.message)" } == [
        "plans/test.yaml:5:11: backup incr-b \(mismatch); a restore needs the backup and the WAL of one cluster: "
          + "select full (cluster \(systemA)) or 'select: auto'"
      ])
  }
}
