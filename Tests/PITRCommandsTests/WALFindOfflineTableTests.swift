import Foundation
import Testing
import _PITRTestSupport

/// `pitr wal find --table` with the source gone: the table is read from the catalog of the
/// base backup (seed 001's server-gzip tar, seed 000's plain copy), with the server stopped.
@Suite(.tags(.integration), .enabled(if: PostgresLab.isAvailable))
struct WALFindOfflineTableTests {
  /// The table's files and OID as the live server names them.
  static func liveRelation(_ lab: PostgresLab) throws -> (relation: String, oid: String) {
    let row = try lab.sql(
      """
      SELECT format('%s/%s/%s', d.dattablespace, d.oid, pg_relation_filenode('inventarios')),
             'inventarios'::regclass::oid
      FROM pg_database d WHERE d.datname = current_database()
      """, database: InventariosScenario.database)
    let columns = row.split(separator: "|").map(String.init)
    guard columns.count == 2 else { throw FixtureError("the relation query printed '\(row)'") }
    return (columns[0], columns[1])
  }

  /// The DELETE found by the table's name, and the note naming what the backup said.
  static func expectDeleteFound(
    _ lab: PostgresLab, _ scenario: InventariosScenario, extra: [String] = []
  ) throws -> String {
    let live = try liveRelation(lab)
    try lab.stop()
    let result = try pitr(
      arguments: [
        "wal", "find", "--wal", lab.archiveDirectory, "--base", lab.backupsDirectory, "--no-cache",
        "--table", "test.public.inventarios", "--kind", "delete",
      ] + extra)
    #expect(result.status == 0, "\(result.standardError)")
    let lines = result.standardOutput.split(separator: "\n")
    #expect(lines.filter { $0.contains(" delete ") }.count == 11, "\(result.standardOutput)")
    #expect(lines.filter { $0.contains(" delete ") }.allSatisfy { $0.contains(live.relation) })
    #expect(result.standardOutput.contains("xid: \(scenario.deleteXid)\n    inclusive: false"))
    #expect(
      result.standardError.hasPrefix(
        "pitr: note: test.public.inventarios is relation \(live.relation) (OID \(live.oid)) in the "
          + "base backup \(scenario.backupPath); a TRUNCATE, VACUUM FULL or CLUSTER after that "
          + "backup gives it new files, which only --source finds\n"), "\(result.standardError)")
    return result.standardError
  }

  /// Seed 001: the notebook's `-Ft -Z server-gzip` backup, gzip'd dated archive.
  @Test func seed001TheDeleteIsFoundByNameWithoutTheSource() throws {
    let lab = try PostgresLab(name: "find-offline-001", archive: .gzipDated)
    defer { lab.remove() }
    let scenario = try InventariosScenario.run(in: lab)
    let byBase = try Self.expectDeleteFound(lab, scenario)
    // A plan's backups do the same.
    let folder = try TemporaryDirectory("find-offline-plan")
    defer { folder.remove() }
    let plan = try folder.write(
      """
      version: 1
      backups:
        base: \(lab.backupsDirectory)
        wal: \(lab.archiveDirectory)
      target:
        latest: true
      destination:
        data_directory: \(folder.file("restore"))
        port: 5599
      action: promote

      """, to: "plan.yaml")
    let byPlan = try pitr(
      "wal", "find", "--plan", plan, "--no-cache", "--table", "test.public.inventarios", "--kind", "delete")
    #expect(byPlan.status == 0, "\(byPlan.standardError)")
    #expect(byPlan.standardOutput.split(separator: "\n").filter { $0.contains(" delete ") }.count == 11)
    #expect(byPlan.standardError == byBase)
  }

  /// Seed 000: a plain `-Fp` backup in `backup_base`, plain archive; its own table
  /// `laboratorio_pitr`, created after the backup as in the notebook, is not in the backup's
  /// catalog, and the message says what would help.
  @Test func seed000TheDeleteIsFoundAndATableCreatedLaterIsUnknown() throws {
    let lab = try PostgresLab(name: "find-offline-000", archive: .plainFlat)
    defer { lab.remove() }
    let scenario = try InventariosScenario.run(in: lab, backupFormat: .plain, backupFolder: "backup_base")
    try lab.sql("CREATE TABLE laboratorio_pitr (id SERIAL PRIMARY KEY, nombre TEXT NOT NULL)")
    try lab.sql("INSERT INTO laboratorio_pitr (nombre) VALUES ('registro_1')")
    try lab.switchWAL()
    _ = try Self.expectDeleteFound(lab, scenario)
    let unknown = try pitr(
      "wal", "find", "--wal", lab.archiveDirectory, "--base", lab.backupsDirectory, "--no-cache",
      "--table", "postgres.public.laboratorio_pitr")
    #expect(unknown.status == 64)
    #expect(
      unknown.standardError
        == "pitr: error: no table postgres.public.laboratorio_pitr in the catalog of the base "
        + "backup \(scenario.backupPath): a table created or renamed after the backup is not in "
        + "it; give --source CONNINFO to look it up on the live source, --relation SPC/DB/REL if "
        + "you know its files, or --base with a backup taken after it was created\n")
    #expect(unknown.standardOutput.isEmpty)
    let noDatabase = try pitr(
      "wal", "find", "--wal", lab.archiveDirectory, "--base", lab.backupsDirectory, "--no-cache",
      "--table", "produccion.public.inventarios")
    #expect(noDatabase.status == 64)
    #expect(
      noDatabase.standardError
        == "pitr: error: no database produccion in the base backup \(scenario.backupPath); give "
        + "--source CONNINFO to look it up on the live source, --relation SPC/DB/REL if you know "
        + "its files, or --base with a backup taken after it was created\n")
  }
}
