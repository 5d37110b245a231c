import Archives
import Catalog
import Foundation
import S3
import SSH
import Storage
import Testing
import _PITRTestSupport

/// The catalog of one repository read locally and from a remote store (sshd, moto) must be
/// the same: the remote reader walks uncompressed tars with ranged reads and reads the WAL
/// segments' first pages together, the local one reads files as before.
@Suite(.tags(.remoteRepository), .serialized)
struct RemoteCatalogReadTests {
  /// A tar backup with a pg_wal.tar, a manifest, small catalog-like files around a 5 MiB
  /// relation (skipped by ranged reads), a tablespace's tar, and plain and gzip'd segments.
  static func repository(format: RepositoryFixture.Backup.Format = .tar(gzip: false)) throws
    -> RepositoryFixture
  {
    let fixture = try RepositoryFixture()
    var backup = RepositoryFixture.Backup(
      id: "b1", format: format, includedSegments: ["000000010000000000000002"])
    backup.incrementalFrom = ("0/100028", 1)
    backup.extraFiles = (0..<40).map { ("base/5/\(2600 + $0)", [UInt8](repeating: UInt8($0), count: 9000)) }
    backup.extraFiles.insert(("base/5/16384", [UInt8](repeating: 1, count: 5 << 20)), at: 20)
    backup.extraFiles.append(("pg_hba.conf", Array("local all all trust\n".utf8)))
    let folder = try fixture.writeBackup(backup)
    var tablespace = TarWriter([UInt8]())
    try tablespace.append(.file("PG_15_202209061/5/16390"), data: [UInt8](repeating: 9, count: 3 << 20))
    try tablespace.append(.file("PG_15_202209061/5/16391"), data: [UInt8](repeating: 8, count: 700))
    try fixture.write(try tablespace.finish(), to: "\(folder)/16389.tar")
    try fixture.writeSegments(timeline: 1, 2...7, gzip: true)
    try fixture.writeSegments(timeline: 1, 8...9, gzip: false)
    return fixture
  }

  /// The catalog as sorted JSON, each path with `root` replaced by `local` and without the
  /// store's versions (ETags) and times, which a local folder does not have.
  static func normalized(_ catalog: Catalog, root: String, local: String) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
    let object = try JSONSerialization.jsonObject(with: try encoder.encode(catalog))
    func clean(_ value: Any) -> Any {
      if let text = value as? String { return text.replacingOccurrences(of: root, with: local) }
      if let array = value as? [Any] { return array.map(clean) }
      if let dictionary = value as? [String: Any] {
        var result: [String: Any] = [:]
        for (key, value) in dictionary where key != "version" && key != "modified" {
          result[key] = clean(value)
        }
        return result
      }
      return value
    }
    let data = try JSONSerialization.data(withJSONObject: clean(object), options: [.sortedKeys, .prettyPrinted])
    return String(decoding: data, as: UTF8.self)
  }

  /// Scans the fixture locally, then through `store` (installed for the run) at `remoteBase`
  /// and `remoteWAL`.
  /// ``compare(_:store:prefix:remoteBase:remoteWAL:root:)`` with `fixture` served by an sshd
  /// of its own, stopped before returning; `prefix` is the store's (`ssh://user@host:port`).
  static func compareOverSSH(_ fixture: RepositoryFixture) throws -> (local: Catalog, remote: Catalog, prefix: String) {
    let server = try SSHServer()
    defer { server.remove() }
    let store = try sshStore(server)
    defer { store.close() }
    let (local, remote) = try compare(
      fixture, store: store, prefix: store.prefix, remoteBase: store.prefix + fixture.base,
      remoteWAL: store.prefix + fixture.wal, root: store.prefix)
    return (local, remote, store.prefix)
  }

  static func compare(
    _ fixture: RepositoryFixture, store: any RepositoryStore, prefix: String, remoteBase: String,
    remoteWAL: String, root: String
  ) throws -> (local: Catalog, remote: Catalog) {
    let local = Catalog.scan(base: fixture.base, wal: [fixture.wal], cache: .disabled)
    let remote = SharedStores.with([prefix: store]) {
      Catalog.scan(base: remoteBase, wal: [remoteWAL], cache: .disabled)
    }
    // Over SSH a remote path is the prefix and the local path; on S3 the bucket stands for
    // the fixture's folder.
    let localRoot = root.hasPrefix("ssh://") ? "" : String(fixture.base.dropLast("base".count))
    let remoteText = try normalized(remote, root: root, local: localRoot)
    let localText = try normalized(local, root: "\0", local: "")
    #expect(remoteText == localText)
    if remoteText != localText, let dump = ProcessInfo.processInfo.environment["PITR_DUMP"] {
      try? remoteText.write(toFile: dump + ".remote", atomically: true, encoding: .utf8)
      try? localText.write(toFile: dump + ".local", atomically: true, encoding: .utf8)
    }
    return (local, remote)
  }

  static func sshStore(_ server: SSHServer) throws -> SSHStore {
    SSHStore(session: try SSHSession(host: server.host, options: server.options()))
  }

  // MARK: - SSH

  @Test(.enabled(if: SSHServer.isAvailable), arguments: [false, true])
  func aTarBackupOverSSHCatalogsAsLocally(gzip: Bool) throws {
    let fixture = try Self.repository(format: .tar(gzip: gzip))
    defer { fixture.remove() }
    let (local, remote, _) = try Self.compareOverSSH(fixture)
    let backup = try #require(remote.backups.first)
    #expect(backup.expandedSize == local.backups.first?.expandedSize)
    #expect(backup.incremental?.incrementalFiles == 1)
    #expect(backup.control != nil)
    #expect(backup.includedSegments.map(\.description) == ["000000010000000000000002"])
    #expect(remote.archive.segments.count == 8)
    #expect(remote.diagnostics.filter { $0.severity == .error }.isEmpty)
  }

  @Test(.enabled(if: SSHServer.isAvailable))
  func aTruncatedTarOverSSHFailsAsLocally() throws {
    let fixture = try Self.repository()
    defer { fixture.remove() }
    let path = "\(fixture.base)/b1/base.tar"
    // Cut inside the 5 MiB relation's data: the walk skips to past the end.
    let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
    try fixture.write(Array(bytes.prefix(3 << 20)), to: path)
    let (_, remote, prefix) = try Self.compareOverSSH(fixture)
    let messages = remote.diagnostics.filter { $0.location == .file(prefix + path) }.map(\.message)
    #expect(messages.count == 1)
    #expect(messages.first?.contains("tar archive truncated inside the data of 'base/5/16384'") == true)
    #expect(remote.backups.isEmpty)
  }

  @Test(.enabled(if: SSHServer.isAvailable))
  func aTarWithoutBackupLabelOverSSHIsReportedAsLocally() throws {
    let fixture = try RepositoryFixture()
    defer { fixture.remove() }
    var tar = TarWriter([UInt8]())
    try tar.append(.file("PG_VERSION"), data: Array("15\n".utf8))
    try tar.append(.file("base/1/1259"), data: [UInt8](repeating: 1, count: 3 << 20))
    try tar.append(.file("global/pg_control"), data: ControlFileFixture().sealed())
    let path = try fixture.write(try tar.finish(), to: "\(fixture.base)/nolabel/base.tar")
    try fixture.writeSegments(timeline: 1, 2...3)
    let (_, remote, prefix) = try Self.compareOverSSH(fixture)
    let diagnostic = remote.diagnostics.first { $0.location == .file(prefix + path) }
    #expect(
      diagnostic?.message == "no backup_label in this backup; without it recovery cannot know where to start")
    #expect(diagnostic?.severity == .error)
  }

  @Test(.enabled(if: SSHServer.isAvailable))
  func aManifestThatDisagreesWithTheTarDoesNotChangeTheSizes() throws {
    // The sizes come from the tar's own headers, locally and remotely; a manifest that lies
    // about a file's size changes neither.
    let fixture = try Self.repository()
    defer { fixture.remove() }
    let manifestPath = "\(fixture.base)/b1/backup_manifest"
    let members: [(String, [UInt8])] = [("backup_label", [1]), ("base/5/16384", [1, 2, 3])]
    try fixture.write(RepositoryFixture.manifest(members, start: "0/200028", timeline: 1), to: manifestPath)
    let (local, remote, _) = try Self.compareOverSSH(fixture)
    #expect(remote.backups.first?.expandedSize == local.backups.first?.expandedSize)
    #expect((remote.backups.first?.expandedSize ?? 0) > 8 << 20)
  }

  @Test(.enabled(if: SSHServer.isAvailable))
  func segmentStartsOverSSHComeFromOneCommandAndAMissingOneIsReadAlone() throws {
    let fixture = try RepositoryFixture()
    defer { fixture.remove() }
    try fixture.writeSegments(timeline: 1, 2...5, gzip: false)
    let server = try SSHServer()
    defer { server.remove() }
    let store = try Self.sshStore(server)
    defer { store.close() }
    let listing = try store.list(under: store.prefix + fixture.wal)
    let starts = store.readStarts(of: listing.files, length: 100)
    for (file, start) in zip(listing.files, starts) {
      let expected = try store.read(file.path, range: 0..<100)
      #expect(try start.get() == expected)
    }
    let missing = listing.files[1].path
    try FileManager.default.removeItem(atPath: store.remotePath(missing))
    let again = store.readStarts(of: listing.files, length: 100)
    #expect(again.count == 4)
    #expect(throws: (any Error).self) { try again[1].get() }
    if case .failure(let error) = again[1] {
      #expect("\(error)" == "cannot read \(missing): \(missing) does not exist")
    }
    #expect((try? again[2].get()) == (try? starts[2].get()))
  }

  // MARK: - S3

  @Test(.enabled(if: MotoServer.isAvailable), arguments: [false, true])
  func aTarBackupFromS3CatalogsAsLocally(gzip: Bool) throws {
    let fixture = try Self.repository(format: .tar(gzip: gzip))
    defer { fixture.remove() }
    let moto = try MotoServer()
    defer { moto.stop() }
    try moto.upload([(fixture.base, "base"), (fixture.wal, "wal")], bucket: "cat")
    let store = S3Store(client: moto.client(bucket: "cat"))
    let (local, remote) = try Self.compare(
      fixture, store: store, prefix: "s3://cat", remoteBase: "s3://cat/base",
      remoteWAL: "s3://cat/wal", root: "s3://cat/")
    #expect(remote.backups.first?.expandedSize == local.backups.first?.expandedSize)
    #expect(remote.archive.segments.count == 8)
  }

  @Test(.enabled(if: MotoServer.isAvailable))
  func segmentStartsFromS3InParallelKeepTheirOrderAndErrors() throws {
    let moto = try MotoServer()
    defer { moto.stop() }
    let client = moto.client(bucket: "starts")
    try client.createBucket()
    for index in 0..<9 { try client.put("wal/\(index)", Data([UInt8](repeating: UInt8(index), count: 50))) }
    let store = S3Store(client: client)
    var files = try store.list(under: "s3://starts/wal").files
    files.insert(StoredFile(path: "s3://starts/wal/gone", size: 50, modified: 0), at: 3)
    let starts = store.readStarts(of: files, length: 10)
    #expect(starts.count == 10)
    for (position, start) in starts.enumerated() where position != 3 {
      let index = position < 3 ? position : position - 1
      #expect((try? start.get()) == [UInt8](repeating: UInt8(index), count: 10))
    }
    if case .failure(let error) = starts[3] {
      let alone = #expect(throws: (any Error).self) { try store.read("s3://starts/wal/gone", range: 0..<10) }
      #expect("\(error)" == alone.map { "\($0)" })
    } else {
      Issue.record("reading a missing object succeeded")
    }
  }
}
