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

  /// Seed 001 (`inventarios`) with a `-Z server-zstd` backup and WAL archived by `zstd`:
  /// every kind of target restored, promoted and counted, as over the gzip'd lab.
  @Test func everyTargetOfSeed001OverAZstdRepository() throws {
    let shared = try InventariosApplyLab(
      name: "apply-001-zstd", archive: .zstdFlat, backupFormat: .tar(compression: .serverZstd))
    defer { shared.lab.remove() }
    #expect(FileManager.default.fileExists(atPath: "\(shared.base)/backup_db/base.tar.zst"))
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
}
