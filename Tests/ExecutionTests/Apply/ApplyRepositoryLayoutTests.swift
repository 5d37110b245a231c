import Execution
import Foundation
import Testing
import _PITRTestSupport

extension ApplyTests {
  /// WAL archives laid out otherwise than the lab's own (`YYYY-MM-DD/<name>.gz`).
  @Suite struct ArchiveLayouts {
    @Test func anArchiveInYearMonthDayFoldersPlainThenGzipped() throws {
      let shared = try InventariosApplyLab.get()
      let scenario = shared.scenario
      let restore = try ApplyRestore(sandbox: shared.sandbox("ymd")) { sandbox in
        try Self.refileByYearMonthDay(shared.wal, splittingAt: scenario.insertWALFile, into: sandbox.file("wal"))
        return ApplyHarness.planText(
          base: shared.base, wal: sandbox.file("wal"), target: "  time: \"\(scenario.insertCommitTime)\"",
          sandbox: sandbox)
      }
      defer { restore.remove() }
      let sandbox = restore.sandbox

      let report = try restore.run()

      #expect(report.outcome == .promoted)
      #expect(report.predictionMatched, "logged \(report.loggedStop ?? "nothing")")
      #expect(try sandbox.sql("SELECT count(*) FROM inventarios", database: "test") == "11")
      #expect(
        sandbox.serverLog.contains("restored log file \"\(scenario.insertWALFile)\" from archive"),
        "\(sandbox.serverLog)")
    }

    /// Copies the archive `source` into `wal` as `YYYY/MM/DD/` folders over two days: the
    /// files before `firstOfNextDay` on the first day, uncompressed (as `cp %p` archives);
    /// the others on the next day, gzip'd.
    static func refileByYearMonthDay(_ source: String, splittingAt firstOfNextDay: String, into wal: String) throws {
      try ApplyBackupCopy.copyArchive(source, to: wal) { relative in
        let name = String(relative.split(separator: "/").last ?? "")
        return name < firstOfNextDay ? "2025/12/23/\(name)" : "2025/12/24/\(name)"
      }
      let firstDay = "\(wal)/2025/12/23"
      for name in try FileManager.default.contentsOfDirectory(atPath: firstDay) where name.hasSuffix(".gz") {
        let plain = "\(firstDay)/\(name.dropLast(3))"
        try copyDecompressing("\(firstDay)/\(name)", to: plain)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: plain)
        try FileManager.default.removeItem(atPath: "\(firstDay)/\(name)")
      }
    }
  }
}

/// Seed 000 (`laboratorio_pitr`): a plain `-Fp -Xs` base backup and WAL archived
/// uncompressed with `cp %p`, restored to the restore point `punto_laboratorio` with the
/// example plan's settings.
@Suite(.tags(.integration), .enabled(if: PostgresLab.isAvailable))
struct ApplySeed000Tests {
  /// plans/laboratorio-restore-point.yaml, with `lab`'s paths, a free port and os_user: the
  /// restore point `punto_laboratorio` on timeline 1, checking the two rows made before it.
  static func restoreToTheRestorePoint(of lab: PostgresLab) throws -> ApplyRestore {
    try ApplyRestore(sandbox: RestoreSandbox(in: lab.directory.path, name: "seed000")) { sandbox in
      ApplyHarness.planText(
        base: lab.backupsDirectory, wal: lab.archiveDirectory,
        target: "  name: punto_laboratorio\n  timeline: 1", sandbox: sandbox,
        destination: "  settings:\n    log_min_messages: warning",
        tail: """
          verify:
            - name: both rows made before the restore point are there
              sql: SELECT id, nombre FROM laboratorio_pitr ORDER BY id
              expect_rows:
                - ["1", "registro_1"]
                - ["2", "registro_2"]
          """)
    }
  }

  /// That `restore` (``restoreToTheRestorePoint(of:)``) was promoted where pitr predicted,
  /// its check passed and the restored server holds the two rows and is not in recovery.
  static func expectRestoredToTheRestorePoint(_ restore: ApplyRestore, _ report: RunReport) throws {
    #expect(report.outcome == .promoted)
    #expect(report.predictionMatched, "logged \(report.loggedStop ?? "nothing")")
    #expect(report.loggedStop?.hasPrefix("recovery stopping at restore point \"punto_laboratorio\", time ") == true)
    #expect(report.checks.map(\.passed) == [true], "\(report.checks.compactMap(\.problem))")
    #expect(
      try restore.sql("SELECT string_agg(nombre, ',' ORDER BY id) FROM laboratorio_pitr") == "registro_1,registro_2")
    #expect(try restore.sql("SELECT pg_is_in_recovery()") == "f")
  }

  @Test func aPlainBackupWithAnUncompressedArchiveRestoresToTheRestorePoint() throws {
    let lab = try PostgresLab(name: "apply-000", archive: .plainFlat)
    defer { lab.remove() }
    // As in the notebook: the backup, then the table, two rows, the restore point, the
    // switch; a third row after it that the restore must not bring back.
    try lab.baseBackup(into: "backup_base", format: .plain, wal: .stream, label: "laboratorio_pitr")
    try lab.sql(
      "CREATE TABLE laboratorio_pitr (id SERIAL PRIMARY KEY, nombre TEXT NOT NULL, creado_en TIMESTAMP DEFAULT now())")
    try lab.sql(
      "INSERT INTO laboratorio_pitr (nombre, creado_en) VALUES ('registro_1', '2025-07-08 07:45:00'), "
        + "('registro_2', '2025-07-08 07:50:00')")
    try lab.sql("SELECT pg_create_restore_point('punto_laboratorio')")
    try lab.switchWAL()
    try lab.sql("INSERT INTO laboratorio_pitr (nombre) VALUES ('registro_3')")
    try lab.switchWAL()
    try lab.stop()
    // plans/laboratorio-restore-point.yaml, with this lab's paths, a free port and os_user.
    let restore = try ApplySeed000Tests.restoreToTheRestorePoint(of: lab)
    defer { restore.remove() }
    #expect(restore.plan.backup.format == "plain")

    let report = try restore.run()

    try ApplySeed000Tests.expectRestoredToTheRestorePoint(restore, report)
    #expect(try restore.sql("SHOW log_min_messages") == "warning")
    CompiledFiles.expectWritten(by: restore.plan, promoted: true)

    // The example plan file itself, by pitr apply, with PITR_LAB pointing at this lab.
    let sandbox = try RestoreSandbox(in: lab.directory.path, name: "plan000")
    let example = try ExamplePlan(
      "laboratorio-restore-point.yaml", dataDirectoryName: "PITR_restored",
      links: ["backup_base": "\(lab.backupsDirectory)/backup_base", "backup_wal": lab.archiveDirectory],
      sandbox: sandbox)
    defer {
      example.stopServer()
      sandbox.remove()
    }
    let applied = try ApplyTests.Command.pitr(
      ["apply", example.path, "--yes"], in: sandbox, environment: ["PITR_LAB": example.labFolder])
    #expect(applied.status == 0, "\(applied.standardError)")
    #expect(
      applied.standardOutput.contains(
        "PostgreSQL stopped where pitr predicted: recovery stopping at restore point \"punto_laboratorio\""),
      "\(applied.standardOutput)")
    #expect(
      applied.standardOutput.contains("check passed: both rows made before the restore point are there"),
      "\(applied.standardOutput)")
    #expect(
      try example.sql("SELECT string_agg(nombre, ',' ORDER BY id) FROM laboratorio_pitr", port: sandbox.port)
        == "registro_1,registro_2")
  }
}

/// A tablespace of the source restored into a new location (`destination.tablespaces`).
@Suite(.tags(.integration), .enabled(if: PostgresLab.isAvailable))
struct ApplyTablespaceTests {
  @Test func aTablespaceIsRestoredIntoItsNewLocationWithTheWALReplayedThere() throws {
    let lab = try PostgresLab(name: "apply-ts", archive: .gzipFlat)
    defer { lab.remove() }
    let original = lab.directory.file("ts-original")
    try RestoreSandbox.makePostgresDirectory(original)
    try lab.sql("CREATE TABLESPACE almacen LOCATION '\(original)'")
    try lab.sql("CREATE TABLE en_almacen (id int, nombre text) TABLESPACE almacen")
    try lab.sql("INSERT INTO en_almacen SELECT g, 'fila_' || g FROM generate_series(1, 100) g")
    let oid = try lab.sql("SELECT oid FROM pg_tablespace WHERE spcname = 'almacen'")
    try lab.baseBackup(into: "with_ts", format: .tar(compression: .clientGzip), wal: .stream, label: "tablespace")
    // Written after the backup: replayed from the archive into the new location.
    try lab.sql("INSERT INTO en_almacen SELECT g, 'fila_' || g FROM generate_series(101, 150) g")
    try lab.sql("SELECT pg_create_restore_point('after_tablespace_rows')")
    try lab.switchWAL()
    try lab.stop()
    let before = Self.listing(original)
    let restore = try ApplyRestore(sandbox: RestoreSandbox(in: lab.directory.path, name: "ts")) { sandbox in
      ApplyHarness.planText(
        base: lab.backupsDirectory, wal: lab.archiveDirectory, target: "  name: after_tablespace_rows",
        sandbox: sandbox, destination: "  tablespaces:\n    \"\(oid)\": \(sandbox.file("ts-new"))")
    }
    defer { restore.remove() }
    let sandbox = restore.sandbox
    let moved = sandbox.file("ts-new")
    #expect(restore.plan.destination.tablespaces.map(\.location) == [moved])
    #expect(restore.plan.graph.ordered.map(\.id).contains("extract-tablespace-\(oid)"))

    let report = try restore.run()

    #expect(report.outcome == .promoted)
    #expect(report.predictionMatched, "logged \(report.loggedStop ?? "nothing")")
    #expect(try sandbox.sql("SELECT count(*), max(id) FROM en_almacen") == "150|150")
    #expect(try sandbox.sql("SELECT pg_tablespace_location(\(oid))") == moved)
    #expect(
      try FileManager.default.destinationOfSymbolicLink(atPath: "\(sandbox.dataDirectory)/pg_tblspc/\(oid)") == moved)
    let relation = try sandbox.sql("SELECT pg_relation_filepath('en_almacen')")
    #expect(relation.hasPrefix("pg_tblspc/\(oid)/PG_\(PostgresLab.majorVersion ?? 0)_"), "\(relation)")
    #expect(FileManager.default.fileExists(atPath: "\(sandbox.dataDirectory)/\(relation)"))
    let inNewLocation = relation.replacingOccurrences(of: "pg_tblspc/\(oid)", with: moved)
    #expect(FileManager.default.fileExists(atPath: inNewLocation), "\(inNewLocation)")
    // The source's tablespace is left as it was.
    #expect(Self.listing(original) == before)
  }

  /// Every file under `root` with its size and modification time.
  static func listing(_ root: String) -> [String] {
    let names = (FileManager.default.enumerator(atPath: root)?.allObjects as? [String]) ?? []
    return names.sorted().map { name in
      let attributes = try? FileManager.default.attributesOfItem(atPath: "\(root)/\(name)")
      return
        "\(name) \(attributes?[.size] ?? "?") \((attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0)"
    }
  }
}
