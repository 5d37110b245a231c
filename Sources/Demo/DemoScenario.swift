import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// The accident of the seed 001 lab, played on a `DemoCluster`: a table of ten products, a
/// compressed tar base backup, one more insert, a restore point, then a DELETE without WHERE
/// and a WAL switch so it all reaches the archive. The plan it writes undoes the DELETE.
public struct DemoScenario: Sendable {
  public static let database = "test"
  /// The moment between the last insert and the DELETE: the plan's target.
  public var targetTime: String
  public var deleteTime: String
  public var systemIdentifier: String
  public var rowsBeforeAccident: Int

  /// Plays the scenario; `say` hears a line per stage.
  public static func play(on cluster: DemoCluster, say: (String) -> Void) throws -> DemoScenario {
    say("creating database \(database) and table inventarios with 10 products")
    try cluster.query("CREATE DATABASE \(database)")
    try cluster.query(
      """
      CREATE TABLE inventarios (id SERIAL PRIMARY KEY, producto TEXT NOT NULL, stock INT,
        fecha_hora TIMESTAMP DEFAULT clock_timestamp())
      """, database: database)
    try cluster.query(
      """
      INSERT INTO inventarios(producto, stock)
        SELECT 'Producto_' || i, (random()*100)::INT FROM generate_series(1,10) AS i
      """, database: database)

    say("taking the base backup: pg_basebackup -Ft -Xs -Z server-gzip")
    try cluster.run(
      "pg_basebackup",
      [
        "-h", cluster.directory, "-p", "\(cluster.port)", "-U", "postgres",
        "-D", "\(cluster.backupsDirectory)/backup_db", "-Ft", "-Xs", "-Z", "server-gzip",
        "-c", "fast", "-l", "pitr demo",
      ])

    say("inserting 'Ultimo_Registro' after the backup, then a restore point")
    try cluster.query("INSERT INTO inventarios(producto, stock) VALUES ('Ultimo_Registro', 999)", database: database)
    let rows = Int(try cluster.value("SELECT count(*) FROM inventarios", database: database)) ?? 0
    try cluster.query("SELECT pg_create_restore_point('test_pirt')")
    usleep(1_100_000)
    let target = try cluster.value("SELECT to_char(clock_timestamp(), 'YYYY-MM-DD HH24:MI:SSOF')")
    usleep(1_100_000)

    say("the accident: DELETE FROM inventarios (no WHERE)")
    try cluster.query("DELETE FROM inventarios", database: database)
    let deleteTime = try cluster.value("SELECT to_char(clock_timestamp(), 'YYYY-MM-DD HH24:MI:SSOF')")
    let left = try cluster.value("SELECT count(*) FROM inventarios", database: database)
    say("rows left in inventarios: \(left)")

    say("archiving the last WAL: SELECT pg_switch_wal()")
    let segment = try cluster.value("SELECT pg_walfile_name(pg_switch_wal())")
    try waitUntilArchived(segment, on: cluster)

    return DemoScenario(
      targetTime: target, deleteTime: deleteTime,
      systemIdentifier: try cluster.value("SELECT system_identifier FROM pg_control_system()"),
      rowsBeforeAccident: rows)
  }

  private static func waitUntilArchived(_ segment: String, on cluster: DemoCluster) throws {
    let deadline = Date().addingTimeInterval(60)
    while Date() < deadline {
      let archived = try cluster.query("SELECT last_archived_wal FROM pg_stat_archiver").first?.first ?? nil
      if let archived, archived >= segment { return }
      usleep(100_000)
    }
    throw DemoError("segment \(segment) was not archived within 60 seconds; see \(cluster.logPath)")
  }

  /// The restore plan a DBA would write for this accident.
  public func plan(cluster: DemoCluster, restorePort: Int) -> String {
    """
    # pitr demo: undo the DELETE of the seed 001 lab.
    version: 1
    name: demo
    source:
      system_identifier: \(systemIdentifier)
    backups:
      base: \(cluster.backupsDirectory)
      wal: \(cluster.archiveDirectory)
    target:
      time: "\(targetTime)"             # after the last insert, before the DELETE at \(deleteTime)
    destination:
      data_directory: \(cluster.directory)/restore
      port: \(restorePort)
      bin_dir: \(cluster.binDirectory)
    \(cluster.serverUser.map { "  os_user: \($0)\n" } ?? "")action: promote-if-verified
    verify:
      - name: the last insert is back
        database: \(Self.database)
        sql: SELECT count(*) FROM inventarios WHERE producto = 'Ultimo_Registro'
        expect: "1"
      - name: every row is back
        database: \(Self.database)
        sql: SELECT count(*) FROM inventarios
        expect: "\(rowsBeforeAccident)"

    """
  }
}
