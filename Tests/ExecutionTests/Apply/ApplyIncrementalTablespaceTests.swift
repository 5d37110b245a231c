import Catalog
import Compiler
import Execution
import Foundation
import Storage
import Testing
import _PITRTestSupport

/// The majors with incremental backups (17+) whose programs are here.
private let chainMajors = PostgresLab.availableMajors.filter { $0 >= 17 }

/// An incremental chain whose backups have a tablespace, restored live (17+): a full backup
/// (tar.gz), an incremental one in plain format (its tablespace written beside it by
/// pg_basebackup -T) and a last one in tar, with rows written into the tablespace's table
/// between each. Every member's tablespace is staged and linked from its pg_tblspc, and
/// pg_combinebackup -T writes the combined tablespace where the plan says.
@Suite(.tags(.integration), .enabled(if: !chainMajors.isEmpty))
struct ApplyIncrementalTablespaceTests {
  @Test(arguments: chainMajors)
  func aChainWithATablespaceIsCombinedIntoThePlannedLocation(major: Int) throws {
    let binaries = try #require(PostgresLab.binaries(major: major))
    try PostgresLab.$binaryDirectory.withValue(binaries) { try run(binaries: binaries) }
  }

  private func run(binaries: String) throws {
    let lab = try PostgresLab(name: "chain-ts", archive: .gzipFlat, settings: ["summarize_wal": "on"])
    defer { lab.remove() }
    let original = lab.directory.file("ts-original")
    try RestoreSandbox.makePostgresDirectory(original)
    try lab.sql("CREATE TABLESPACE almacen LOCATION '\(original)'")
    try lab.sql("CREATE TABLE en_almacen (id int, fase text) TABLESPACE almacen")
    try lab.sql("INSERT INTO en_almacen SELECT g, 'full' FROM generate_series(1, 1000) g")
    let oid = try lab.sql("SELECT oid FROM pg_tablespace WHERE spcname = 'almacen'")
    try lab.baseBackup(into: "full", format: .tar(compression: .clientGzip), label: "full")
    try lab.sql("INSERT INTO en_almacen SELECT g, 'incr1' FROM generate_series(1001, 1100) g")
    try lab.sql("UPDATE en_almacen SET id = -id WHERE id <= 10")
    let plainCopy = lab.directory.file("ts-incr1")
    let incr1 = try lab.baseBackup(
      into: "incr1", format: .plain, label: "incr1", incrementalFrom: "full",
      tablespaceMapping: [(original, plainCopy)])
    try lab.sql("INSERT INTO en_almacen SELECT g, 'incr2' FROM generate_series(1101, 1150) g")
    try lab.sql("DELETE FROM en_almacen WHERE id BETWEEN 500 AND 599")
    try lab.baseBackup(
      into: "incr2", format: .tar(compression: .none), label: "incr2", incrementalFrom: "incr1")
    try lab.sql("INSERT INTO en_almacen VALUES (7777, 'after')")
    try lab.sql("SELECT pg_create_restore_point('after_incr2')")
    try lab.sql("INSERT INTO en_almacen VALUES (8888, 'later')")
    try lab.switchWAL()
    try lab.stop()

    let restore = try ApplyRestore(sandbox: RestoreSandbox(in: lab.directory.path, name: "chain-ts")) { sandbox in
      ApplyHarness.planText(
        base: lab.backupsDirectory, wal: lab.archiveDirectory, target: "  name: after_incr2", sandbox: sandbox,
        destination: "  bin_dir: \(binaries)\n  tablespaces:\n    \"\(oid)\": \(sandbox.file("ts-new"))")
    }
    defer { restore.remove() }
    let location = restore.sandbox.file("ts-new")
    let staging = "\(restore.sandbox.stateDirectory)/combine"
    #expect(restore.plan.backup.id == "incr2")
    let combine = try #require(restore.plan.graph.ordered.first { $0.kind == .combineBackups })
    guard case .combineBackups(let payload) = combine.action else {
      Issue.record("combine-backups has another payload")
      return
    }
    #expect(payload.tablespaces.map(\.location) == [location])
    #expect(
      payload.backups.map(\.tablespaceStaging) == ["full", "incr1", "incr2"].map { "\(staging)/\($0).tablespaces" })
    let command = payload.command.compactMap { if case .literal(let word) = $0 { word } else { nil } }
    #expect(command.contains("\(staging)/incr2.tablespaces/\(oid)=\(location)"))
    #expect(command.firstIndex(of: "-T").map { command[$0 + 1] } == "\(staging)/incr2.tablespaces/\(oid)=\(location)")
    #expect(
      combine.details.contains(
        "each backup's tablespaces into \(staging)/ID.tablespaces/OID, linked from its pg_tblspc/OID (a tar backup's "
          + "tablespace_map is left out: the links replace it); pg_combinebackup then writes tablespace \(oid) into "
          + "\(location) (-T), with \(restore.sandbox.dataDirectory)/pg_tblspc linking there"))
    // The space counts every staged tablespace: the plain member's, which lies outside its
    // folder, too.
    let catalog = Catalog.scan(base: lab.backupsDirectory, wal: [lab.archiveDirectory], cache: .disabled)
    let plain = try #require(catalog.backups.first { $0.id == "incr1" })
    let inFolder = DirectoryWalker.files(under: incr1).files.filter { $0.name != "backup_manifest" }
    let inTablespace = DirectoryWalker.files(under: plainCopy).files
    #expect(!inTablespace.isEmpty)
    #expect(plain.expandedSize == (inFolder + inTablespace).reduce(0) { $0 + $1.size })
    #expect(payload.stagingBytes == catalog.backups.compactMap(\.expandedSize).reduce(0, +))

    let report = try restore.run()

    #expect(report.outcome == .promoted)
    #expect(report.predictionMatched, "logged \(report.loggedStop ?? "nothing")")
    #expect(
      try restore.sql(
        "SELECT count(*), count(*) FILTER (WHERE fase = 'incr2'), count(*) FILTER (WHERE fase = 'after'), "
          + "sum(id) FILTER (WHERE id < 0), count(*) FILTER (WHERE fase = 'later') FROM en_almacen")
        == "1051|50|1|-55|0")
    #expect(try restore.sql("SELECT pg_tablespace_location(\(oid))") == location)
    let link = "\(restore.sandbox.dataDirectory)/pg_tblspc/\(oid)"
    #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == location)
    #expect(try FileManager.default.contentsOfDirectory(atPath: location).contains { $0.hasPrefix("PG_") })
    #expect(!FileManager.default.fileExists(atPath: staging))
  }
}
