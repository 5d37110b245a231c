/// Seed 001's `inventarios` lab (its sections 3 and 4) run on a ``PostgresLab``, with what a
/// test needs to know measured along the way.
///
/// The steps, as in the notebook: `CREATE DATABASE test`; the `inventarios` table and its ten
/// rows `Producto_1` … `Producto_10`; a base backup (`-Ft -Xs -Z server-gzip -c fast` by
/// default); `SELECT txid_current()`; the insert of `Ultimo_Registro` (stock 999);
/// `pg_create_restore_point('test_pirt')`; `pg_switch_wal()`; the accidental
/// `DELETE FROM inventarios`; `pg_switch_wal()`. Both switched segments are archived before
/// `run` returns. It takes a second or two.
///
/// Commit times come from `pg_xact_commit_timestamp(xid)`, which is why labs set
/// `track_commit_timestamp = on` (as seed 001 does): at commit, `RecordTransactionCommit`
/// takes one timestamp (`xactStopTimestamp`), writes it into the COMMIT record as
/// `xact_time` and stores the same value in `pg_commit_ts` (labs have no replication origin
/// that would replace it). So it equals, to the microsecond, the time `pg_waldump` prints for
/// the COMMIT record and the time recovery compares with `recovery_target_time`. `now()`
/// would not do: it is the transaction's start time; nor would `clock_timestamp()` read
/// inside the transaction, which is earlier than the commit.
public struct InventariosScenario: Sendable {
  /// The database the table is in.
  public static let database = "test"

  /// The base backup's folder.
  public var backupPath: String
  /// How it was taken.
  public var backupFormat: PostgresLab.BackupFormat
  /// The transaction that created the table and its ten rows (before the backup).
  public var initialRowsXid: UInt32
  /// What the notebook's `SELECT txid_current()` returned after the backup.
  ///
  /// It assigned that xid to its own transaction, so the WAL has a (tiny) COMMIT record for
  /// it too.
  public var probeXid: UInt32

  /// The transaction that inserted `Ultimo_Registro`.
  public var insertXid: UInt32
  /// Its commit time as PostgreSQL prints a `timestamptz` in the lab's time zone
  /// (`2026-11-22 16:50:01.123456+00`; trailing zeros of the fraction are dropped).
  public var insertCommitTime: String
  /// The same time as PostgreSQL stores it: microseconds since 2000-01-01 00:00:00 UTC, the
  /// COMMIT record's `xact_time`.
  public var insertCommitTimestamp: Int64
  /// `pg_current_wal_insert_lsn()` read in the inserting session right after its commit:
  /// the end of the COMMIT record, unless some other process wrote WAL in between.
  public var insertLSN: String
  /// The WAL file holding the insert, its commit and the restore point.
  public var insertWALFile: String

  /// `test_pirt`.
  public var restorePointName: String
  /// What `pg_create_restore_point` returned: the end of the RESTORE_POINT record.
  public var restorePointLSN: String
  /// What the first `pg_switch_wal()` returned: the end of its SWITCH record.
  public var firstSwitchLSN: String

  /// The transaction that deleted every row.
  public var deleteXid: UInt32
  /// Its commit time, as ``insertCommitTime``.
  public var deleteCommitTime: String
  /// Its commit time, as ``insertCommitTimestamp``.
  public var deleteCommitTimestamp: Int64
  /// `pg_current_wal_insert_lsn()` right after the delete committed, as ``insertLSN``.
  public var deleteLSN: String
  /// The WAL file holding the delete and its commit.
  public var deleteWALFile: String
  /// What the second `pg_switch_wal()` returned.
  public var secondSwitchLSN: String

  /// `pg_control_system().system_identifier`.
  public var systemIdentifier: UInt64
  /// The server's `timezone` setting (`UTC` unless the lab's settings say otherwise).
  public var timezone: String

  /// Runs the scenario on `lab`, whose server must be running and empty.
  ///
  /// - Parameters:
  ///   - backupFormat: How to take the base backup; WAL is always streamed (`-Xs`).
  ///   - backupFolder: The backup's folder under the lab's backups folder (seed 001:
  ///     `backup_db`).
  /// - Throws: ``FixtureError`` when a step fails.
  public static func run(
    in lab: PostgresLab,
    backupFormat: PostgresLab.BackupFormat = .tar(compression: .serverGzip),
    backupFolder: String = "backup_db"
  ) throws -> InventariosScenario {
    guard try lab.sql("SHOW track_commit_timestamp") == "on" else {
      throw FixtureError("the inventarios scenario needs track_commit_timestamp = on")
    }
    try lab.sql("CREATE DATABASE \(database)")
    let initialRowsXid = try xid(
      lab.sql(
        """
        CREATE TABLE inventarios (id SERIAL PRIMARY KEY, producto TEXT NOT NULL, stock INT,
          fecha_hora TIMESTAMP DEFAULT clock_timestamp());
        INSERT INTO inventarios(producto, stock)
          SELECT 'Producto_' || i, (random()*100)::INT FROM generate_series(1,10) AS i;
        SELECT txid_current();
        """, database: database))
    let backupPath = try lab.baseBackup(
      into: backupFolder, format: backupFormat, wal: .stream,
      label: "pitr lab: inventarios")

    let probeXid = try xid(lab.sql("SELECT txid_current()", database: database))
    let insert = try lab.sqlSession(
      [
        "INSERT INTO inventarios(producto, stock) VALUES ('Ultimo_Registro', 999) RETURNING xmin",
        "SELECT pg_current_wal_insert_lsn()",
      ], database: database)
    guard insert.count == 2 else { throw FixtureError("the insert printed \(insert)") }
    let insertXid = try xid(insert[0])
    let insertCommit = try commitTime(of: insertXid, in: lab)
    let restorePointName = "test_pirt"
    let restorePointLSN = try lab.sql(
      "SELECT pg_create_restore_point('\(restorePointName)')", database: database)
    let firstSwitchLSN = try lab.switchWAL()
    let insertWALFile = try lab.sql("SELECT pg_walfile_name('\(firstSwitchLSN)')")

    let delete = try lab.sqlSession(
      [
        "BEGIN", "DELETE FROM inventarios", "SELECT txid_current()", "COMMIT",
        "SELECT pg_current_wal_insert_lsn()",
      ], database: database)
    guard delete.count == 2 else { throw FixtureError("the delete printed \(delete)") }
    let deleteXid = try xid(delete[0])
    let deleteCommit = try commitTime(of: deleteXid, in: lab)
    let secondSwitchLSN = try lab.switchWAL()
    let deleteWALFile = try lab.sql("SELECT pg_walfile_name('\(secondSwitchLSN)')")

    let identifier = try lab.sql("SELECT system_identifier FROM pg_control_system()")
    guard let systemIdentifier = UInt64(identifier) else {
      throw FixtureError("system_identifier is '\(identifier)'")
    }
    return InventariosScenario(
      backupPath: backupPath, backupFormat: backupFormat, initialRowsXid: initialRowsXid,
      probeXid: probeXid, insertXid: insertXid, insertCommitTime: insertCommit.text,
      insertCommitTimestamp: insertCommit.timestamp, insertLSN: insert[1],
      insertWALFile: insertWALFile, restorePointName: restorePointName,
      restorePointLSN: restorePointLSN, firstSwitchLSN: firstSwitchLSN, deleteXid: deleteXid,
      deleteCommitTime: deleteCommit.text, deleteCommitTimestamp: deleteCommit.timestamp,
      deleteLSN: delete[1], deleteWALFile: deleteWALFile, secondSwitchLSN: secondSwitchLSN,
      systemIdentifier: systemIdentifier, timezone: try lab.sql("SHOW timezone"))
  }

  /// A 32-bit xid from `txid_current()` (which adds the epoch above bit 32) or `xmin`.
  private static func xid(_ text: String) throws -> UInt32 {
    guard let value = UInt64(text) else { throw FixtureError("'\(text)' is not an xid") }
    return UInt32(truncatingIfNeeded: value)
  }

  /// The commit time of `xid` as text and as PostgreSQL's microseconds since 2000.
  private static func commitTime(
    of xid: UInt32, in lab: PostgresLab
  ) throws -> (text: String, timestamp: Int64) {
    let row = try lab.sql(
      """
      SELECT t, ((extract(epoch FROM t) - 946684800) * 1000000)::bigint
      FROM pg_xact_commit_timestamp('\(xid)'::xid) AS t
      """)
    let columns = row.split(separator: "|").map(String.init)
    guard columns.count == 2, !columns[0].isEmpty, let timestamp = Int64(columns[1]) else {
      throw FixtureError("no commit timestamp for xid \(xid): '\(row)'")
    }
    return (columns[0], timestamp)
  }
}
