import Archives
import Foundation
import PostgresVocabulary
import S3
import SSH
import Storage
import Testing
import WAL
import _PITRTestSupport

@testable import Catalog

/// The WAL index reads remote segments whole ahead of its summaries (one SSH command for
/// many, several S3 GETs at once); what it answers must be what it answers locally, and a
/// segment that cannot be read must be reported as its ordinary read reports it. In the
/// serialized `RemoteCatalogReadTests` suite: both install the process's stores.
extension RemoteCatalogReadTests {
  /// Eight 1 MiB segments (2–9) of commits, aborts and restore points, records crossing
  /// segment boundaries; gzip'd but for the last two.
  static func walRepository() throws -> RepositoryFixture {
    let fixture = try RepositoryFixture()
    var builder = WALSegmentBuilder(
      major: 15, segmentSize: RepositoryFixture.segmentSize,
      systemIdentifier: RepositoryFixture.systemIdentifier, startSegment: 2)
    for step in 0..<48 {
      let time = PostgresTimestamp(microsecondsSince2000: 819_910_800_000_000 + Int64(step) * 60_000_000)
      let xid = UInt32(1000 + step)
      if step % 7 == 3 {
        builder.append(.restorePoint(name: "point_\(step % 2)", time: time))
      } else if step % 5 == 4 {
        builder.append(.abort(xid: xid, WALTransactionEndSpec(time: time)))
      } else {
        builder.append(.commit(xid: xid, WALTransactionEndSpec(time: time)))
      }
      builder.append(.filler(totalLength: 150_000 + step * 997))
    }
    builder.append(.switchSegment())
    let files = builder.segmentFiles().compactMap { $0.name.segmentNumber(size: RepositoryFixture.segmentSize) }
    let numbers = Set(files)
    try builder.write(to: fixture.wal, compressed: true, segments: numbers.filter { $0 < 8 })
    try builder.write(to: fixture.wal, compressed: false, segments: numbers.filter { $0 >= 8 })
    return fixture
  }

  /// What the index answers: every segment's summary, the restore points, a time target's
  /// stop, a transaction's end, the last end before a late LSN.
  static func walAnswers(_ archive: WALArchive) throws -> [String] {
    let index = WALIndex(archive: archive, cache: .disabled)
    let start = try #require(archive.segments.first?.header.pageAddress)
    let timeline = TimelineID(1)
    var lines = archive.segments.map { segment in
      "\(segment.name): \(String(describing: index.summary(of: segment.name)))"
    }
    let time = PostgresTimestamp(microsecondsSince2000: 819_910_800_000_000 + 20 * 60_000_000)
    lines.append("points \(index.restorePoints(named: "point_1", from: start, along: timeline))")
    lines.append("time \(String(describing: index.firstTransactionEnd(after: time, from: start, along: timeline)))")
    lines.append("xid \(String(describing: index.transactionEnd(of: 1040, from: start, along: timeline)))")
    let late = try #require(archive.segments.last?.header.pageAddress)
    lines.append("last \(String(describing: index.lastTransactionEnd(before: late, along: timeline)))")
    return lines
  }

  /// The archive scanned and answered locally, then through `store` at `remoteWAL`; the
  /// remote answers with `root` replaced by the local folder's parent.
  static func compareWAL(
    _ fixture: RepositoryFixture, store: any RepositoryStore, prefix: String, remoteWAL: String,
    root: String, localRoot: String, afterScan: (WALArchive) throws -> Void = { _ in }
  ) throws -> (local: [String], remote: [String]) {
    let (localArchive, _) = Catalog.scanArchive(wal: [fixture.wal], cache: .disabled)
    try afterScan(localArchive)
    let local = try walAnswers(localArchive)
    let installation = SharedStores.install([prefix: store])
    defer { installation.remove() }
    let (remoteArchive, _) = Catalog.scanArchive(wal: [remoteWAL], cache: .disabled)
    #expect(remoteArchive.segments.count == localArchive.segments.count)
    let remote = try walAnswers(remoteArchive).map { $0.replacingOccurrences(of: root, with: localRoot) }
    return (local, remote)
  }

  @Test(.enabled(if: SSHServer.isAvailable))
  func theIndexOverSSHAnswersAsLocally() throws {
    let fixture = try Self.walRepository()
    defer { fixture.remove() }
    let server = try SSHServer()
    defer { server.remove() }
    let store = SSHStore(session: try SSHSession(host: server.host, options: server.options()))
    defer { store.close() }
    let (local, remote) = try Self.compareWAL(
      fixture, store: store, prefix: store.prefix, remoteWAL: store.prefix + fixture.wal,
      root: store.prefix, localRoot: "")
    #expect(remote == local)
    #expect(local.count >= 10)
    #expect(local.contains { $0.hasPrefix("points [") && $0.contains("point_1") })
    #expect(local.filter { $0.contains("chainBreak: Optional") }.isEmpty)
  }

  @Test(.enabled(if: MotoServer.isAvailable))
  func theIndexOverS3AnswersAsLocally() throws {
    let fixture = try Self.walRepository()
    defer { fixture.remove() }
    let moto = try MotoServer()
    defer { moto.stop() }
    let bucket = "wal-index"
    try moto.upload([(fixture.wal, "wal")], bucket: bucket)
    let root = String(fixture.wal.dropLast("/wal".count))
    let store = S3Store(client: moto.client(bucket: bucket))
    let (local, remote) = try Self.compareWAL(
      fixture, store: store, prefix: "s3://\(bucket)", remoteWAL: "s3://\(bucket)/wal",
      root: "s3://\(bucket)", localRoot: root)
    #expect(remote == local)
  }

  /// A segment removed after the scan listed it: its summary over SSH reports what opening
  /// it the ordinary way says, and the segments around it are read ahead as before.
  @Test(.enabled(if: SSHServer.isAvailable))
  func aSegmentVanishingOverSSHIsReportedForThatSegment() throws {
    let fixture = try Self.walRepository()
    defer { fixture.remove() }
    let server = try SSHServer()
    defer { server.remove() }
    let store = SSHStore(session: try SSHSession(host: server.host, options: server.options()))
    defer { store.close() }
    let vanished = "\(fixture.wal)/000000010000000000000005.gz"
    let bytes = try Data(contentsOf: URL(fileURLWithPath: vanished))
    let installation = SharedStores.install([store.prefix: store])
    defer { installation.remove() }
    let (archive, _) = Catalog.scanArchive(wal: [store.prefix + fixture.wal], cache: .disabled)
    try FileManager.default.removeItem(atPath: vanished)
    var expected = ""
    do { _ = try RepositoryStores.current.openDecompressed(store.prefix + vanished) } catch {
      expected = String(describing: error)
    }
    #expect(
      expected
        == "ssh://root@127.0.0.1:\(server.port)\(vanished) changed while it was read: it vanished after it was listed")
    let index = WALIndex(archive: archive, cache: .disabled)
    let summaries = archive.segments.map { index.summary(of: $0.name) }
    let broken = summaries.compactMap { $0?.chainBreak }
    // Segment 5's own summary, and segment 4's (whose last record runs into 5).
    #expect(Set(broken.map(\.segment.description)) == ["000000010000000000000004", "000000010000000000000005"])
    #expect(broken.allSatisfy { $0.kind == .unreadable && $0.reason.contains(expected) })
    // The ones after it were still read (ahead): their summaries are those of a local read.
    try Data(bytes).write(to: URL(fileURLWithPath: vanished))
    let (localArchive, _) = Catalog.scanArchive(wal: [fixture.wal], cache: .disabled)
    let localIndex = WALIndex(archive: localArchive, cache: .disabled)
    for (segment, summary) in zip(archive.segments, summaries)
    where segment.name.description > "000000010000000000000005" {
      #expect(summary == localIndex.summary(of: segment.name))
    }
  }

  /// `SSHStore.readWhole`: files back to back from one command; a missing file and one whose
  /// size changed since the listing come back as `nil`, the others whole; stopping ends it.
  @Test(.enabled(if: SSHServer.isAvailable))
  func readWholeOverSSHSplitsTheStreamBySize() throws {
    let folder = try TemporaryDirectory()
    defer { folder.remove() }
    let server = try SSHServer()
    defer { server.remove() }
    let store = SSHStore(session: try SSHSession(host: server.host, options: server.options()))
    defer { store.close() }
    let contents: [[UInt8]] = [
      Array("first".utf8), [UInt8](repeating: 7, count: 300_000), Array("third".utf8), [], Array("last".utf8),
    ]
    for (number, bytes) in contents.enumerated() {
      try Data(bytes).write(to: URL(fileURLWithPath: folder.file("f\(number)")))
    }
    let listed = try store.list(under: store.prefix + folder.path).files
    #expect(listed.count == 5)
    try FileManager.default.removeItem(atPath: folder.file("f0"))
    try Data("third, longer".utf8).write(to: URL(fileURLWithPath: folder.file("f2")))
    var got: [Int: [UInt8]?] = [:]
    store.readWhole(listed) { index, bytes in
      got[index] = .some(bytes)
      return true
    }
    #expect(got.count == 5)
    #expect(got[0] == .some(nil))
    #expect(got[1] == .some(contents[1]))
    #expect(got[2] == .some(nil))
    #expect(got[3] == .some([]))
    #expect(got[4] == .some(contents[4]))
    var handed = 0
    store.readWhole(Array(listed.dropFirst())) { _, _ in
      handed += 1
      return false
    }
    #expect(handed == 1)
  }
}

/// `SegmentReadAhead` over a store that counts its reads: in order, bounded, skipping and
/// reusing as the index asks.
@Suite struct SegmentReadAheadTests {
  final class CountingStore: RepositoryStore, @unchecked Sendable {
    let lock = NSLock()
    var reads: [String] = []
    func list(under root: String) throws -> StoreListing { StoreListing(files: []) }
    func read(_ path: String, range: Range<Int64>?) throws -> [UInt8] {
      lock.withLock { reads.append(path) }
      if path.hasSuffix("bad") { throw StorageError(.notFound, path: path, reason: "gone") }
      return Array(path.utf8)
    }
    func open(_ path: String) throws -> any ByteStream { MemoryByteStream(try read(path, range: nil)) }
    var readCount: Int { lock.withLock { reads.count } }
  }

  static func files(_ names: [String]) -> [StoredFile] {
    names.map { StoredFile(path: "test://r/\($0)", size: Int64("test://r/\($0)".utf8.count), modified: 0) }
  }

  @Test func readsInOrderAtMostAFewAhead() throws {
    let store = CountingStore()
    let names = (0..<20).map { "s\(String(format: "%02d", $0))" }
    let ahead = SegmentReadAhead(
      files: Self.files(names), stores: RepositoryStores(remotes: ["test://r": store]))
    defer { ahead.cancel() }
    #expect(ahead.take("test://r/s00") == Array("test://r/s00".utf8))
    Thread.sleep(forTimeInterval: 0.2)
    // Four wait to be taken, and the reader holds one more.
    #expect(store.readCount <= 1 + SegmentReadAhead.inFlight + 1)
    #expect(ahead.take("test://r/s01") == Array("test://r/s01".utf8))
    // The last two taken are kept (a summary reads the next segment's start too).
    #expect(ahead.take("test://r/s00") == Array("test://r/s00".utf8))
    // Skipping ahead drops the files before it; they are then read the ordinary way.
    #expect(ahead.take("test://r/s10") == Array("test://r/s10".utf8))
    #expect(ahead.take("test://r/s05") == nil)
    #expect(ahead.take("test://elsewhere/s11") == nil)
    #expect(ahead.take("test://r/s19") == Array("test://r/s19".utf8))
    #expect(store.reads == names.map { "test://r/\($0)" })
  }

  @Test func aFileTheStoreCannotReadIsLeftToTheCaller() throws {
    let store = CountingStore()
    let ahead = SegmentReadAhead(
      files: Self.files(["a", "bad", "c"]) + [StoredFile(path: "test://r/short", size: 99, modified: 0)],
      stores: RepositoryStores(remotes: ["test://r": store]))
    defer { ahead.cancel() }
    #expect(ahead.take("test://r/a") == Array("test://r/a".utf8))
    #expect(ahead.take("test://r/bad") == nil)
    #expect(ahead.take("test://r/c") == Array("test://r/c".utf8))
    // Not the listed size: the ordinary read reports the change.
    #expect(ahead.take("test://r/short") == nil)
  }

  @Test func cancellingStopsTheReader() throws {
    let store = CountingStore()
    let ahead = SegmentReadAhead(
      files: Self.files((0..<50).map { "s\($0)" }), stores: RepositoryStores(remotes: ["test://r": store]))
    _ = ahead.take("test://r/s0")
    ahead.cancel()
    Thread.sleep(forTimeInterval: 0.2)
    let count = store.readCount
    #expect(count < 10)
    #expect(ahead.take("test://r/s1") == nil)
    Thread.sleep(forTimeInterval: 0.1)
    #expect(store.readCount == count)
  }
}
