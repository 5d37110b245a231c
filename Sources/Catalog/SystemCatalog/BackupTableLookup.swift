import Archives
import WAL

/// Finds a table's relation files (`database.schema.table`) in the catalog a base backup
/// carries, for `pitr wal find --table` when the source is gone: pg_database (the shared
/// `global/1262`, or where `global/pg_filenode.map` maps it) gives the database's OID and
/// default tablespace; in `base/<dboid>/`, pg_class (where that folder's `pg_filenode.map`
/// maps OID 1259) gives pg_namespace's file and then the table's `relfilenode` and
/// `reltablespace`.
///
/// A backup is copied while the server runs, so a catalog row may be there in several
/// versions. Without the commit log only the hint bits tell them apart: rows marked deleted
/// or aborted are dropped, committed-looking ones are preferred, and among equals the one
/// inserted by the newest transaction is taken, with a note.
public struct BackupTableLookup {
  /// Why the table could not be found; `description` is the sentence for the user.
  public struct Failure: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
  }

  /// The table's files and OID (which TRUNCATE records name), with notes for the user.
  public struct Found: Sendable, Equatable {
    public var relation: RelationFileLocator
    public var tableOID: UInt32
    public var notes: [String]
  }

  /// The majors whose catalog layout pitr knows.
  public static let majors = 15...18

  static let databaseCatalog: UInt32 = 1262
  static let classCatalog: UInt32 = 1259
  static let namespaceCatalog: UInt32 = 2615
  static let defaultTablespace: UInt32 = 1663

  let database: String
  let schema: String
  let table: String
  var files: BackupCatalogFiles
  var notes: [String] = []

  /// What the hint to give when the table is not there says.
  static let help =
    "give --source CONNINFO to look it up on the live source, --relation SPC/DB/REL if you "
    + "know its files, or --base with a backup taken after it was created"

  /// The backup to read: the newest full backup (an incremental one holds only changed
  /// blocks), or `nil` when there is none.
  public static func backup(among backups: [BaseBackup]) -> BaseBackup? {
    backups.filter { $0.incremental == nil }.max { $0.label.startLSN < $1.label.startLSN }
  }

  /// Looks `database.schema.table` up in `backup`.
  public static func lookUp(
    database: String, schema: String, table: String, in backup: BaseBackup
  ) throws(Failure) -> Found {
    var lookup = BackupTableLookup(
      database: database, schema: schema, table: table, files: BackupCatalogFiles(backup: backup))
    do {
      return try lookup.run()
    } catch let failure as Failure {
      throw failure
    } catch {
      throw Failure("cannot read the catalog of the base backup \(backup.path): \(error)")
    }
  }

  var qualifiedName: String { "\(database).\(schema).\(table)" }
  var backupPath: String { files.backup.path }

  mutating func run() throws -> Found {
    guard let major = files.backup.pgVersion, Self.majors.contains(major) else {
      let version = files.backup.pgVersion.map { "PostgreSQL \($0)" } ?? "of an unknown PostgreSQL version"
      throw Failure(
        "the base backup \(backupPath) is \(version); pitr reads the catalog of PostgreSQL "
          + "\(Self.majors.lowerBound) to \(Self.majors.upperBound) backups only: give --source "
          + "CONNINFO to look \(qualifiedName) up on the live source")
    }
    let (databaseOID, databaseSpace) = try findDatabase(major: major)
    guard databaseSpace == Self.defaultTablespace else {
      throw Failure(
        "database \(database) has its default tablespace \(databaseSpace) outside the base "
          + "folder; pitr does not read catalogs from tablespace archives: give --source CONNINFO")
    }
    let folder = "base/\(databaseOID)"
    let map = try files.file("\(folder)/pg_filenode.map").flatMap(RelationMapFile.init)
    guard let classNode = map?.filenodes[Self.classCatalog] else {
      throw missing("\(folder)/pg_filenode.map (or it does not map pg_class)")
    }
    let classRows = try rows(of: "\(folder)/\(classNode)", what: "pg_class")
    let layout = CatalogRowLayout.relation
    let namespaceNode =
      pick(classRows.filter { layout.uint32("oid", in: $0) == Self.namespaceCatalog }, row: "pg_namespace")
      .flatMap { layout.uint32("relfilenode", in: $0) }.flatMap { $0 == 0 ? nil : $0 } ?? Self.namespaceCatalog
    let namespaces = try rows(of: "\(folder)/\(namespaceNode)", what: "pg_namespace")
    guard
      let namespace = pick(
        namespaces.filter { CatalogRowLayout.namespace.name("nspname", in: $0) == schema }, row: "schema \(schema)"),
      let namespaceOID = CatalogRowLayout.namespace.uint32("oid", in: namespace)
    else { throw Failure("no schema \(schema) in database \(database) of the base backup \(backupPath); " + Self.help) }
    let matching = classRows.filter {
      layout.name("relname", in: $0) == table && layout.uint32("relnamespace", in: $0) == namespaceOID
    }
    guard let row = pick(matching, row: qualifiedName), let oid = layout.uint32("oid", in: row),
      var node = layout.uint32("relfilenode", in: row), let space = layout.uint32("reltablespace", in: row)
    else {
      throw Failure(
        "no table \(qualifiedName) in the catalog of the base backup \(backupPath): a table "
          + "created or renamed after the backup is not in it; " + Self.help)
    }
    if node == 0, let mapped = map?.filenodes[oid] { node = mapped }
    let relation = RelationFileLocator(
      tablespace: space == 0 ? databaseSpace : space, database: databaseOID, relation: node)
    return Found(relation: relation, tableOID: oid, notes: notes)
  }

  /// pg_database's row for `database`: its OID and default tablespace.
  mutating func findDatabase(major: Int) throws -> (UInt32, UInt32) {
    let map = try files.file("global/pg_filenode.map").flatMap(RelationMapFile.init)
    let node = map?.filenodes[Self.databaseCatalog] ?? Self.databaseCatalog
    let layout = CatalogRowLayout.database(major: major)
    let databases = try rows(of: "global/\(node)", what: "pg_database")
    guard let row = pick(databases.filter { layout.name("datname", in: $0) == database }, row: "database \(database)"),
      let oid = layout.uint32("oid", in: row), let space = layout.uint32("dattablespace", in: row)
    else { throw Failure("no database \(database) in the base backup \(backupPath); " + Self.help) }
    return (oid, space)
  }

  /// Every stored tuple of a catalog's file.
  mutating func rows(of path: String, what catalog: String) throws -> [HeapTuple] {
    guard let bytes = try files.file(path) else { throw missing("\(path) (\(catalog))") }
    return HeapPage.pages(of: bytes).flatMap(\.tuples)
  }

  func missing(_ file: String) -> Failure {
    Failure(
      "the base backup \(backupPath) has no \(file) in \(files.location); give --source "
        + "CONNINFO to look \(qualifiedName) up on the live source")
  }

  /// The version of a row the backup most likely shows as live, noting a guess.
  mutating func pick(_ versions: [HeapTuple], row: String) -> HeapTuple? {
    let candidates = versions.filter(\.visibility.isCandidate)
    guard let best = candidates.map(\.visibility).max() else { return nil }
    let equals = candidates.filter { $0.visibility == best }
    // The newest xmin, in modulo-2^32 order as PostgreSQL compares xids.
    let chosen = equals.max { Int32(bitPattern: $1.xmin &- $0.xmin) > 0 }!
    if equals.count > 1 {
      notes.append(
        "the backup holds \(equals.count) versions of the catalog row of \(row) that may be "
          + "live (it was copied while the server ran); took the one of the newest transaction, "
          + "xmin \(chosen.xmin)")
    } else if best == .maybeDeleted {
      notes.append(
        "the catalog row of \(row) in the backup may have been deleted by transaction "
          + "\(chosen.xmax), whose outcome the backup does not show; it was used")
    }
    return chosen
  }
}
