import Catalog
import Compiler
import Foundation
import Testing
import _PITRTestSupport

@testable import Execution

/// The majors with incremental backups (17+) whose programs are here.
private let chainMajors = PostgresLab.availableMajors.filter { $0 >= 17 }

/// A target in each interval of a chain (17+), from one lab and its repository: between the
/// full backup and incr1 `auto` restores the full backup alone, between incr1 and incr2 it
/// combines full + incr1, after incr2 the whole chain; each restore's rows are checked
/// exactly and its stop is the one predicted. The last restore resumes a run killed while
/// pg_combinebackup wrote the data directory: its partial output and the staging folder are
/// cleared, the chain combined again.
@Suite(.tags(.integration), .enabled(if: !chainMajors.isEmpty))
struct ApplyIncrementalIntervalTests {
  /// Counts per phase; a row written just after each restore point (`…late`) must be absent
  /// from the restore stopping there.
  private static let rows =
    "SELECT count(*), count(*) FILTER (WHERE phase = 'p1'), count(*) FILTER (WHERE phase = 'p1late'), "
    + "count(*) FILTER (WHERE phase = 'p2'), count(*) FILTER (WHERE phase = 'p2late'), "
    + "count(*) FILTER (WHERE phase = 'p3'), count(*) FILTER (WHERE phase = 'p3late'), "
    + "coalesce(sum(i) FILTER (WHERE i < 0), 0) FROM t"

  @Test(arguments: chainMajors)
  func eachIntervalRestoresItsChain(major: Int) throws {
    let binaries = try #require(PostgresLab.binaries(major: major))
    try PostgresLab.$binaryDirectory.withValue(binaries) { try run(binaries: binaries) }
  }

  private func run(binaries: String) throws {
    let lab = try PostgresLab(name: "interval", archive: .gzipFlat, settings: ["summarize_wal": "on"])
    defer { lab.remove() }
    try lab.sql("CREATE TABLE t (i int, phase text)")
    try lab.sql("INSERT INTO t SELECT g, 'full' FROM generate_series(1, 1000) g")
    try lab.baseBackup(into: "full", format: .tar(compression: .clientGzip), label: "full")
    try lab.sql("INSERT INTO t SELECT g, 'p1' FROM generate_series(1, 50) g")
    try lab.sql("SELECT pg_create_restore_point('before_incr1')")
    try lab.sql("INSERT INTO t VALUES (9999, 'p1late')")
    try lab.baseBackup(
      into: "incr1", format: .tar(compression: .none), label: "incr1", incrementalFrom: "full")
    try lab.sql("UPDATE t SET i = -i WHERE i <= 10 AND phase = 'full'")
    try lab.sql("INSERT INTO t SELECT g, 'p2' FROM generate_series(1, 20) g")
    try lab.sql("SELECT pg_create_restore_point('before_incr2')")
    try lab.sql("INSERT INTO t VALUES (9998, 'p2late')")
    try lab.baseBackup(into: "incr2", format: .plain, label: "incr2", incrementalFrom: "incr1")
    try lab.sql("DELETE FROM t WHERE i BETWEEN 500 AND 599")
    try lab.sql("INSERT INTO t SELECT g, 'p3' FROM generate_series(1, 5) g")
    try lab.sql("SELECT pg_create_restore_point('after_incr2')")
    try lab.sql("INSERT INTO t VALUES (9997, 'p3late')")
    try lab.switchWAL()
    try lab.stop()

    try damagedDirectoryFailsItsCheck(lab: lab, binaries: binaries)
    try restore(
      lab: lab, binaries: binaries, point: "before_incr1", backup: "full", chain: nil,
      rows: "1050|50|0|0|0|0|0|0")
    try restore(
      lab: lab, binaries: binaries, point: "before_incr2", backup: "incr1", chain: "full -> incr1",
      rows: "1071|50|1|20|0|0|0|-55")
    try restore(
      lab: lab, binaries: binaries, point: "after_incr2", backup: "incr2", chain: "full -> incr1 -> incr2",
      rows: "977|50|1|20|1|5|0|-55", interrupted: true)
  }

  /// pg_verifybackup, as combine-backups runs it on the combined data directory, over a
  /// directory with a file that is not what its manifest says: the run stops, naming the
  /// command and what it printed.
  private func damagedDirectoryFailsItsCheck(lab: PostgresLab, binaries: String) throws {
    let damaged = "\(lab.directory.path)/damaged"
    try FileManager.default.copyItem(atPath: "\(lab.backupsDirectory)/incr2", toPath: damaged)
    defer { try? FileManager.default.removeItem(atPath: damaged) }
    let words = ["\(binaries)/pg_verifybackup", "--no-parse-wal", damaged]
    try CombineBackups.verify(words, dataDirectory: damaged, staging: "/restore/DATA.pitr/combine")
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: "\(damaged)/PG_VERSION"))
    try handle.seekToEnd()
    try handle.write(contentsOf: Data("x".utf8))
    try handle.close()

    let error = try #require(throws: RunnerError.self) {
      try CombineBackups.verify(words, dataDirectory: damaged, staging: "/restore/DATA.pitr/combine")
    }

    #expect(
      error.description
        == "the combined data directory failed its check: \(binaries)/pg_verifybackup --no-parse-wal \(damaged) "
        + "exited with status 1: pg_verifybackup: error: \"PG_VERSION\" has size 4 on disk but size 3 in the "
        + "manifest; \(damaged) is not what the chain's backups hold (the chain is still extracted in "
        + "/restore/DATA.pitr/combine): remove both, then run pitr apply again")
  }

  /// One restore to the restore point `point`, into a destination of its own: `auto`
  /// picks `backup`, combined with `chain` (full backup first) or extracted alone.
  private func restore(
    lab: PostgresLab, binaries: String, point: String, backup: String, chain: String?, rows: String,
    interrupted: Bool = false
  ) throws {
    let restore = try ApplyRestore(sandbox: RestoreSandbox(in: lab.directory.path, name: point)) { sandbox in
      ApplyHarness.planText(
        base: lab.backupsDirectory, wal: lab.archiveDirectory, target: "  name: \(point)", sandbox: sandbox,
        destination: "  bin_dir: \(binaries)")
    }
    defer { restore.remove() }
    #expect(restore.plan.backup.id == backup)
    let combine = restore.plan.graph.ordered.first { $0.kind == .combineBackups }
    if let chain {
      #expect(combine?.details.first == "the chain, full backup first: \(chain)")
      #expect(!restore.plan.graph.ordered.contains { $0.kind == .extractBase })
      try Self.expectDryRunNamesTheChain(restore, lab: lab, binaries: binaries)
    } else {
      #expect(combine == nil)
      #expect(restore.plan.graph.ordered.contains { $0.kind == .extractBase })
    }
    if interrupted { try Self.leaveInterruptedCombine(restore, lastBackup: "\(lab.backupsDirectory)/\(backup)") }
    let report = try restore.run()
    #expect(report.outcome == .promoted)
    #expect(report.predictionMatched, "\(point): logged \(report.loggedStop ?? "nothing")")
    #expect(try restore.sql(Self.rows) == rows, "restored to \(point)")
    #expect(!FileManager.default.fileExists(atPath: "\(restore.sandbox.stateDirectory)/combine"))
    if interrupted {
      let data = restore.sandbox.dataDirectory
      #expect(
        restore.observer.notes.contains(
          "a previous run stopped while extracting (combine-backups not finished); pitr made \(data) and "
            + "everything in it came from the backup: cleared it, extracting again"), "\(restore.observer.notes)")
      #expect(restore.observer.started.first == "combine-backups", "\(restore.observer.started)")
    }
  }

  /// The dry run's Backup section lists each backup of the chain with its size, then the
  /// total; the combine step runs pg_combinebackup, then pg_verifybackup.
  static func expectDryRunNamesTheChain(_ restore: ApplyRestore, lab: PostgresLab, binaries: String) throws {
    let plan = restore.plan
    let members = try #require(plan.backup.chain)
    let catalog = Catalog.scan(base: lab.backupsDirectory, wal: [lab.archiveDirectory], cache: .disabled)
    let sizes = try members.map { member in
      try #require(catalog.backups.first { $0.id == member.id }?.expandedSize)
    }
    var expected = "  chain, full backup first, combined by pg_combinebackup:\n"
    for (member, size) in zip(members, sizes) {
      expected +=
        "    \(member.id) (\(lab.backupsDirectory)/\(member.id)): \(member.how), \(ByteCount.describe(size)) extracted\n"
    }
    expected += "    in all: \(ByteCount.describe(sizes.reduce(0, +))) extracted\n"
    let text = PlanText.render(
      plan, resolver: StepResolver(pitrExecutable: "pitr", binDirectory: binaries, serverUser: nil))
    #expect(text.contains(", the last of an incremental chain of \(members.count) backups\n" + expected), "\(text)")
    #expect(
      text.contains(
        "       then runs: \(binaries)/pg_verifybackup --no-parse-wal \(restore.sandbox.dataDirectory)\n"), "\(text)")
  }

  /// What `kill -9` during pg_combinebackup leaves: the journal with combine-backups
  /// running, the staging folder half full, and in the data directory part of what
  /// pg_combinebackup writes: a reconstructed relation file (an `INCREMENTAL.<name>` in the
  /// last backup, `<name>` in the data directory), one cut short, and its backup_manifest.
  static func leaveInterruptedCombine(_ restore: ApplyRestore, lastBackup: String) throws {
    let plan = restore.plan
    let sandbox = restore.sandbox
    var journal = Journal(
      planHash: plan.planHash, catalogFingerprint: plan.catalogFingerprint, stepIDs: plan.graph.ordered.map(\.id))
    journal.set("check-destination", .done)
    journal.set("create-data-directory", .done)
    journal.set("combine-backups", .running)
    let manifest = try BackupManifest(
      parsing: try Data(contentsOf: URL(fileURLWithPath: "\(lastBackup)/backup_manifest")))
    let incremental = try #require(manifest.files.map(\.path).first { $0.contains("/INCREMENTAL.") })
    let whole = incremental.replacingOccurrences(of: "INCREMENTAL.", with: "")
    let data = sandbox.dataDirectory
    let files: [(String, [UInt8])] = [
      ("\(sandbox.stateDirectory)/combine/full/PG_VERSION", Array("18\n".utf8)),
      ("\(data)/PG_VERSION", Array("18\n".utf8)), ("\(data)/\(whole)", [UInt8](repeating: 0, count: 8192)),
      ("\(data)/global/pg_control", [1, 2, 3]), ("\(data)/backup_manifest", Array("{\n".utf8)),
    ]
    for (path, bytes) in files {
      try FileManager.default.createDirectory(
        atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
      #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
    }
    let encoder = JSONEncoder()
    encoder.dateEncodingStrategy = .iso8601
    try encoder.encode(journal).write(to: URL(fileURLWithPath: "\(sandbox.stateDirectory)/journal.json"))
    // As create-data-directory left it: mode 0700, the server's user's.
    try FileManager.default.setAttributes(
      [.posixPermissions: 0o700, .ownerAccountName: "postgres"], ofItemAtPath: data)
  }
}
