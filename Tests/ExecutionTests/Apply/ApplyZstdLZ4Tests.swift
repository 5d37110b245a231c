import Execution
import Foundation
import Testing
import _PITRTestSupport

/// A tar backup the server compressed (`pg_basebackup -Ft -Z server-zstd|server-lz4`), its
/// tablespace's tar compressed too, and WAL archived by `zstd`/`lz4` into `<name>.zst`/`.lz4`:
/// restored by pitr to a restore point, the rows checked.
@Suite(.tags(.integration), .enabled(if: PostgresLab.isAvailable))
struct ApplyZstdLZ4Tests {
  @Test(arguments: [
    (PostgresLab.BackupFormat.TarCompression.serverZstd, PostgresLab.ArchiveLayout.zstdFlat),
    (.serverLZ4, .lz4Flat),
    // The client compresses (and, on some majors, the streamed WAL's tar too).
    (.clientZstd, .lz4Flat),
  ])
  func aServerCompressedBackupAndCompressedWALRestoreToTheRestorePoint(
    compression: PostgresLab.BackupFormat.TarCompression, layout: PostgresLab.ArchiveLayout
  ) throws {
    let kind = compression == .serverLZ4 ? "lz4" : "zstd"
    let suffix = compression == .serverLZ4 ? ".lz4" : ".zst"
    let lab = try PostgresLab(name: "apply-\(compression.rawValue)", archive: layout)
    defer { lab.remove() }
    let original = lab.directory.file("ts-original")
    try RestoreSandbox.makePostgresDirectory(original)
    try lab.sql("CREATE TABLESPACE almacen LOCATION '\(original)'")
    try lab.sql("CREATE TABLE en_almacen (id int, nombre text) TABLESPACE almacen")
    try lab.sql("CREATE TABLE registros (id int PRIMARY KEY, nombre text)")
    try lab.sql("INSERT INTO en_almacen SELECT g, 'fila_' || g FROM generate_series(1, 100) g")
    let oid = try lab.sql("SELECT oid FROM pg_tablespace WHERE spcname = 'almacen'")
    let backup = try lab.baseBackup(
      into: "b1", format: .tar(compression: compression), wal: .stream, label: kind)
    let files = Set(try FileManager.default.contentsOfDirectory(atPath: backup))
    // The streamed WAL's tar: uncompressed, unless a later major's client compresses it too.
    let wal = files.contains("pg_wal.tar.zst") && compression == .clientZstd ? "pg_wal.tar.zst" : "pg_wal.tar"
    #expect(files == ["backup_manifest", "base.tar\(suffix)", "\(oid).tar\(suffix)", wal])
    // Written after the backup: replayed from the compressed archive.
    try lab.sql("INSERT INTO en_almacen SELECT g, 'fila_' || g FROM generate_series(101, 150) g")
    try lab.sql("INSERT INTO registros VALUES (1, 'antes'), (2, 'antes')")
    try lab.sql("SELECT pg_create_restore_point('antes_del_error')")
    try lab.sql("INSERT INTO registros VALUES (3, 'despues')")
    try lab.switchWAL()
    try lab.stop()
    #expect(lab.archive.storedPaths().contains { $0.hasSuffix(layout.suffix) })
    #expect(!lab.archive.storedPaths().contains { !$0.hasSuffix(layout.suffix) })

    let restore = try ApplyRestore(sandbox: RestoreSandbox(in: lab.directory.path, name: compression.rawValue)) {
      sandbox in
      ApplyHarness.planText(
        base: lab.backupsDirectory, wal: lab.archiveDirectory,
        target: "  name: antes_del_error\n  timeline: 1", sandbox: sandbox,
        destination: "  tablespaces:\n    \"\(oid)\": \(sandbox.file("ts-new"))",
        tail: """
          verify:
            - name: the rows of the restore point, none after
              sql: SELECT id, nombre FROM registros ORDER BY id
              expect_rows:
                - ["1", "antes"]
                - ["2", "antes"]
          """)
    }
    defer { restore.remove() }
    let extraction = try #require(restore.plan.graph.ordered.first { $0.summary.hasPrefix("extract base backup") })
    #expect(extraction.details.first == "from \(backup)/base.tar\(suffix) (tar, \(kind))")

    let report = try restore.run()

    #expect(report.outcome == .promoted)
    #expect(report.predictionMatched, "logged \(report.loggedStop ?? "nothing")")
    #expect(report.loggedStop?.hasPrefix("recovery stopping at restore point \"antes_del_error\"") == true)
    #expect(report.checks.map(\.passed) == [true], "\(report.checks.compactMap(\.problem))")
    #expect(try restore.sandbox.sql("SELECT count(*), max(id) FROM en_almacen") == "150|150")
    #expect(try restore.sandbox.sql("SELECT string_agg(nombre, ',' ORDER BY id) FROM registros") == "antes,antes")
    #expect(restore.sandbox.serverLog.contains("restored log file"), "\(restore.sandbox.serverLog)")
  }

  /// Seed 001 (`inventarios`) with a `-Z server-zstd` backup and WAL archived by `zstd`, and
  /// with a `-Z server-lz4` backup and WAL archived by `lz4` into day folders: every kind of
  /// target restored, promoted and counted, as over the gzip'd lab.
  @Test(arguments: [
    (PostgresLab.BackupFormat.TarCompression.serverZstd, PostgresLab.ArchiveLayout.zstdFlat),
    (.serverLZ4, .lz4Dated),
  ])
  func everyTargetOfSeed001OverACompressedRepository(
    compression: PostgresLab.BackupFormat.TarCompression, layout: PostgresLab.ArchiveLayout
  ) throws {
    let shared = try InventariosApplyLab(
      name: "apply-001-\(layout)", archive: layout, backupFormat: .tar(compression: compression))
    defer { shared.lab.remove() }
    #expect(FileManager.default.fileExists(atPath: "\(shared.base)/backup_db/base.tar\(layout.suffix)"))
    #expect(!shared.lab.archive.storedPaths().isEmpty)
    #expect(!shared.lab.archive.storedPaths().contains { !$0.hasSuffix(layout.suffix) })
    for testCase in ApplyTests.Targets.cases {
      let restore = try shared.restore("target", testCase.target(shared.scenario))
      defer { restore.remove() }

      let report = try restore.run()

      #expect(report.outcome == .promoted, "\(testCase.name)")
      #expect(report.predictedStop == report.loggedStop, "\(testCase.name)")
      #expect(
        try restore.sql("SELECT count(*) FROM inventarios", database: "test") == testCase.rows,
        "\(testCase.name)")
      #expect(
        try restore.sql(
          "SELECT count(*) FROM inventarios WHERE producto = 'Ultimo_Registro'", database: "test")
          == (testCase.lastInsert ? "1" : "0"), "\(testCase.name)")
    }
  }

  /// Seed 000 (`laboratorio_pitr`) over a `-Z server-zstd` (`server-lz4`) backup in
  /// `backup_base` and WAL archived by `zstd` (`lz4`) into day folders `YYYY-MM-DD/` by its
  /// dated script: the table and first row filed on one day, the second row, the restore
  /// point and a third row on the next; restored to `punto_laboratorio`, replaying WAL from
  /// both days, with the example plan's check.
  @Test(arguments: [
    (PostgresLab.BackupFormat.TarCompression.serverZstd, PostgresLab.ArchiveLayout.zstdDated),
    (.serverLZ4, .lz4Dated),
  ])
  func seed000OverACompressedDatedArchiveRestoresToTheRestorePoint(
    compression: PostgresLab.BackupFormat.TarCompression, layout: PostgresLab.ArchiveLayout
  ) throws {
    let lab = try PostgresLab(name: "apply-000-\(layout)", archive: layout)
    defer { lab.remove() }
    try lab.archive.setDay("2025-07-07")
    let backup = try lab.baseBackup(
      into: "backup_base", format: .tar(compression: compression), wal: .stream, label: "laboratorio_pitr")
    #expect(
      Set(try FileManager.default.contentsOfDirectory(atPath: backup))
        == ["backup_manifest", "base.tar\(layout.suffix)", "pg_wal.tar"])
    try lab.sql(
      "CREATE TABLE laboratorio_pitr (id SERIAL PRIMARY KEY, nombre TEXT NOT NULL, creado_en TIMESTAMP DEFAULT now())")
    try lab.sql("INSERT INTO laboratorio_pitr (nombre, creado_en) VALUES ('registro_1', '2025-07-07 23:45:00')")
    let firstDayEnd = try lab.switchWAL()
    try lab.archive.setDay("2025-07-08")
    try lab.sql("INSERT INTO laboratorio_pitr (nombre, creado_en) VALUES ('registro_2', '2025-07-08 07:50:00')")
    try lab.sql("SELECT pg_create_restore_point('punto_laboratorio')")
    try lab.switchWAL()
    try lab.sql("INSERT INTO laboratorio_pitr (nombre) VALUES ('registro_3')")
    try lab.switchWAL()
    try lab.stop()
    let stored = lab.archive.storedPaths()
    #expect(lab.archive.dayFolders() == ["2025-07-07", "2025-07-08"])
    #expect(stored.allSatisfy { $0.hasSuffix(layout.suffix) }, "\(stored)")
    // The restore point's segment was filed on the second day, and the restore needs it.
    let secondDay = stored.filter { $0.hasPrefix("2025-07-08/") && !$0.contains(".history") }
    #expect(!secondDay.isEmpty, "\(stored); the first day ended at \(firstDayEnd)")

    let restore = try ApplySeed000Tests.restoreToTheRestorePoint(of: lab)
    defer { restore.remove() }
    let kind = layout == .zstdDated ? "zstd" : "lz4"
    let extraction = try #require(restore.plan.graph.ordered.first { $0.summary.hasPrefix("extract base backup") })
    #expect(extraction.details.first == "from \(backup)/base.tar\(layout.suffix) (tar, \(kind))")

    let report = try restore.run()

    try ApplySeed000Tests.expectRestoredToTheRestorePoint(restore, report)
    let restorePointSegment = try #require(secondDay.first).dropFirst("2025-07-08/".count).dropLast(layout.suffix.count)
    #expect(
      restore.sandbox.serverLog.contains("restored log file \"\(restorePointSegment)\" from archive"),
      "\(restore.sandbox.serverLog)")
  }
}
