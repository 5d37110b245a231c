import PostgresVocabulary
import Testing
import WAL
import _PITRTestSupport

@testable import Catalog

/// A table looked up in the catalog files of synthetic base backups (tar, tar.gz, plain):
/// pg_database, the relation maps, pg_class and pg_namespace, with row versions of a fuzzy
/// copy.
@Suite struct BackupTableLookupTests {
  typealias Builder = HeapPageBuilder

  /// The catalog of a cluster with database `test` (16384): `public.inventarios` was
  /// truncated (its old row deleted, the new one with filenode 16399), `public.otra` sits in
  /// tablespace 16500, `ventas.inventarios` is another schema's table of the same name.
  static func catalogFiles(
    major: Int = 15, classNode: UInt32 = 1259, namespaceNode: UInt32 = 2615,
    extraClassRows: [HeapPageBuilder.Tuple] = []
  ) -> [(path: String, bytes: [UInt8])] {
    let databases = Builder.page([
      .init(xmin: 1, values: Builder.databaseRow(major: major, oid: 1, name: "template1")),
      .init(xmin: 1, values: Builder.databaseRow(major: major, oid: 5, name: "postgres")),
      .init(xmin: 731, values: Builder.databaseRow(major: major, oid: 16_384, name: "test")),
      .init(xmin: 735, values: Builder.databaseRow(major: major, oid: 16_500, name: "fuera", tablespace: 16_600)),
    ])
    let classes = Builder.page(
      [
        .init(xmin: 1, values: Builder.classRow(oid: 1259, name: "pg_class", namespace: 11, filenode: 0)),
        .init(
          xmin: 1, values: Builder.classRow(oid: 2615, name: "pg_namespace", namespace: 11, filenode: namespaceNode)),
        .init(
          xmin: 740, xmax: 760, infomask: 0x0100 | 0x0400,
          values: Builder.classRow(oid: 16_386, name: "inventarios", namespace: 2200, filenode: 16_386)),
        .init(xmin: 760, values: Builder.classRow(oid: 16_386, name: "inventarios", namespace: 2200, filenode: 16_399)),
        .init(
          xmin: 741,
          values: Builder.classRow(oid: 16_390, name: "otra", namespace: 2200, filenode: 16_390, tablespace: 16_500)),
        .init(
          xmin: 742, values: Builder.classRow(oid: 16_395, name: "inventarios", namespace: 16_394, filenode: 16_395)),
      ] + extraClassRows)
    let namespaces = Builder.page([
      .init(xmin: 1, values: Builder.namespaceRow(oid: 11, name: "pg_catalog")),
      .init(xmin: 1, values: Builder.namespaceRow(oid: 2200, name: "public")),
      .init(xmin: 742, values: Builder.namespaceRow(oid: 16_394, name: "ventas")),
    ])
    return [
      ("PG_VERSION", Array("\(major)\n".utf8)),
      ("global/pg_filenode.map", Builder.relationMap([(1262, 1262), (1260, 1260)])),
      ("global/1262", databases),
      ("base/16384/PG_VERSION", Array("\(major)\n".utf8)),
      ("base/16384/pg_filenode.map", Builder.relationMap([(1259, classNode), (1249, 1249)])),
      ("base/16384/\(classNode)", classes),
      ("base/16384/\(namespaceNode)", namespaces),
      ("base/5/1259", Builder.page([])),
    ]
  }

  /// The one backup of a repository holding `files`.
  static func backup(
    _ format: RepositoryFixture.Backup.Format, files: [(path: String, bytes: [UInt8])]
  ) throws -> (RepositoryFixture, BaseBackup) {
    let fixture = try RepositoryFixture()
    var spec = RepositoryFixture.Backup(id: "b1", format: format)
    spec.extraFiles = files
    try fixture.writeBackup(spec)
    let catalog = Catalog.scan(base: fixture.base, wal: [fixture.wal], cache: .disabled)
    let backup = try #require(catalog.backups.first)
    return (fixture, backup)
  }

  static let formats: [RepositoryFixture.Backup.Format] = [.tar(gzip: true), .tar(gzip: false), .plain]

  @Test(arguments: formats)
  func theTableOfTheNewestCommittedRowIsFound(format: RepositoryFixture.Backup.Format) throws {
    let (fixture, backup) = try Self.backup(format, files: Self.catalogFiles())
    defer { fixture.remove() }
    let found = try BackupTableLookup.lookUp(database: "test", schema: "public", table: "inventarios", in: backup)
    #expect(found.relation == RelationFileLocator(tablespace: 1663, database: 16_384, relation: 16_399))
    #expect(found.tableOID == 16_386)
    #expect(found.notes.isEmpty)
    let other = try BackupTableLookup.lookUp(database: "test", schema: "ventas", table: "inventarios", in: backup)
    #expect(other.relation.description == "1663/16384/16395")
    let spaced = try BackupTableLookup.lookUp(database: "test", schema: "public", table: "otra", in: backup)
    #expect(spaced.relation.description == "16500/16384/16390")
  }

  @Test(arguments: [15, 16, 17, 18])
  func eachMajorsDatabaseLayout(major: Int) throws {
    let (fixture, backup) = try Self.backup(.tar(gzip: true), files: Self.catalogFiles(major: major))
    defer { fixture.remove() }
    #expect(backup.pgVersion == major)
    let found = try BackupTableLookup.lookUp(database: "test", schema: "public", table: "inventarios", in: backup)
    #expect(found.relation.description == "1663/16384/16399")
  }

  /// pg_class and pg_namespace rewritten by VACUUM FULL: their files are where the map and
  /// pg_class say, which a tar gives in a second pass.
  @Test(arguments: formats)
  func rewrittenCatalogsAreFollowed(format: RepositoryFixture.Backup.Format) throws {
    let files = Self.catalogFiles(classNode: 16_700, namespaceNode: 16_701)
    let (fixture, backup) = try Self.backup(format, files: files)
    defer { fixture.remove() }
    let found = try BackupTableLookup.lookUp(database: "test", schema: "ventas", table: "inventarios", in: backup)
    #expect(found.relation.description == "1663/16384/16395")
  }

  @Test func rowVersionsOfEqualStandingTakeTheNewestTransactionWithANote() throws {
    // Two versions nobody marked: an update whose outcome no hint bit tells.
    let extra: [HeapPageBuilder.Tuple] = [
      .init(
        xmin: 4_294_967_000, infomask: 0,
        values: Builder.classRow(oid: 16_800, name: "dos", namespace: 2200, filenode: 16_800)),
      .init(
        xmin: 20, infomask: 0, values: Builder.classRow(oid: 16_800, name: "dos", namespace: 2200, filenode: 16_801)),
      .init(
        xmin: 30, xmax: 31, infomask: 0x0100,
        values: Builder.classRow(oid: 16_802, name: "tres", namespace: 2200, filenode: 16_802)),
    ]
    let (fixture, backup) = try Self.backup(.plain, files: Self.catalogFiles(extraClassRows: extra))
    defer { fixture.remove() }
    // xid 20 is newer than 4294967000 (it wrapped around).
    let found = try BackupTableLookup.lookUp(database: "test", schema: "public", table: "dos", in: backup)
    #expect(found.relation.relation == 16_801)
    #expect(
      found.notes == [
        "the backup holds 2 versions of the catalog row of test.public.dos that may be live (it "
          + "was copied while the server ran); took the one of the newest transaction, xmin 20"
      ])
    let maybe = try BackupTableLookup.lookUp(database: "test", schema: "public", table: "tres", in: backup)
    #expect(maybe.relation.relation == 16_802)
    #expect(
      maybe.notes == [
        "the catalog row of test.public.tres in the backup may have been deleted by transaction "
          + "31, whose outcome the backup does not show; it was used"
      ])
  }

  @Test func whatIsNotThereIsSaid() throws {
    let (fixture, backup) = try Self.backup(.tar(gzip: true), files: Self.catalogFiles())
    defer { fixture.remove() }
    let help =
      "give --source CONNINFO to look it up on the live source, --relation SPC/DB/REL if you "
      + "know its files, or --base with a backup taken after it was created"
    func failure(_ database: String, _ schema: String, _ table: String) -> String? {
      do {
        _ = try BackupTableLookup.lookUp(database: database, schema: schema, table: table, in: backup)
        return nil
      } catch {
        return error.description
      }
    }
    #expect(
      failure("test", "public", "nueva")
        == "no table test.public.nueva in the catalog of the base backup \(backup.path): a table "
        + "created or renamed after the backup is not in it; " + help)
    #expect(failure("otra", "public", "t") == "no database otra in the base backup \(backup.path); " + help)
    #expect(
      failure("test", "nada", "t") == "no schema nada in database test of the base backup \(backup.path); " + help)
    #expect(
      failure("postgres", "public", "t")
        == "the base backup \(backup.path) has no base/5/pg_filenode.map (or it does not map "
        + "pg_class) in \(backup.path)/base.tar.gz; give --source CONNINFO to look "
        + "postgres.public.t up on the live source")
    #expect(
      failure("fuera", "public", "t")
        == "database fuera has its default tablespace 16600 outside the base folder; pitr does "
        + "not read catalogs from tablespace archives: give --source CONNINFO")
  }

  @Test func otherMajorsAreRefused() throws {
    let (fixture, backup) = try Self.backup(.plain, files: Self.catalogFiles(major: 14))
    defer { fixture.remove() }
    #expect(
      throws: BackupTableLookup.Failure(
        "the base backup \(backup.path) is PostgreSQL 14; pitr reads the catalog of PostgreSQL 15 "
          + "to 18 backups only: give --source CONNINFO to look test.public.t up on the live source")
    ) {
      try BackupTableLookup.lookUp(database: "test", schema: "public", table: "t", in: backup)
    }
  }

  @Test func theNewestFullBackupIsRead() {
    func backup(_ id: String, _ lsn: UInt64, incremental: Bool = false) -> BaseBackup {
      var backup = BaseBackup(
        id: id, path: "/b/\(id)", format: .plain, compression: "none", files: [], sizeOnDisk: 0,
        expandedSize: nil, pgVersion: 17,
        label: BaseBackup.Label(
          startLSN: LSN(rawValue: lsn), checkpointLSN: LSN(rawValue: lsn), startTimeline: TimelineID(1),
          startTime: nil, startTimeAsWritten: nil, source: "primary", label: "", method: "streamed"),
        stop: nil, control: nil, manifest: .missing, tablespaces: [], timezone: nil, includedSegments: [])
      if incremental {
        backup.incremental = BaseBackup.Incremental(
          fromLSN: LSN(rawValue: 1), fromTimeline: TimelineID(1), incrementalFiles: 3)
      }
      return backup
    }
    let chosen = BackupTableLookup.backup(among: [
      backup("a", 0x100), backup("c", 0x300, incremental: true), backup("b", 0x200),
    ])
    #expect(chosen?.id == "b")
    #expect(BackupTableLookup.backup(among: [backup("c", 0x300, incremental: true)]) == nil)
  }
}
