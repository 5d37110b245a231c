import Archives
import Catalog
import Foundation
import Storage
import Testing
import _PITRTestSupport

/// The catalog cache over a store that versions its files (as S3 gives ETags): an object
/// rewritten with the same size and the same time is read again because its version changed,
/// and an unchanged version is a hit whatever the time says.
@Suite(.serialized) struct CatalogCacheVersionTests {
  /// Files in memory under `mem://repo`, each with a version and a time the test sets.
  final class VersionedStore: RepositoryStore, @unchecked Sendable {
    private let lock = NSLock()
    private var files: [String: (bytes: [UInt8], version: String, modified: Int64)] = [:]

    func put(_ path: String, _ bytes: [UInt8], version: String, modified: Int64 = 1_700_000_000_000_000_000) {
      lock.withLock { files[path] = (bytes, version, modified) }
    }

    func list(under root: String) throws -> StoreListing {
      let listed = lock.withLock { files.filter { $0.key.hasPrefix(root + "/") } }
      return StoreListing(
        files: listed.map {
          StoredFile(
            path: $0.key, size: Int64($0.value.bytes.count), modified: $0.value.modified, version: $0.value.version)
        }.sorted { $0.path < $1.path })
    }

    func read(_ path: String, range: Range<Int64>?) throws -> [UInt8] {
      guard let bytes = lock.withLock({ files[path]?.bytes }) else {
        throw StorageError(.notFound, path: path, reason: "no such object")
      }
      guard let range else { return bytes }
      let lower = Int(min(range.lowerBound, Int64(bytes.count)))
      return Array(bytes[lower..<Int(min(range.upperBound, Int64(bytes.count)))])
    }

    func open(_ path: String) throws -> any ByteStream { MemoryByteStream(try read(path, range: nil), name: path) }
  }

  private static let wal = "mem://repo/wal"

  /// Scans `mem://repo` through `store` (installed for the scan, then the previous stores back).
  private func scan(_ store: VersionedStore, cacheDirectory: String) -> (Catalog, CatalogCache) {
    let installation = SharedStores.install(["mem://repo": store])
    defer { installation.remove() }
    let cache = CatalogCache(directory: cacheDirectory, folders: [Self.wal])
    let catalog = Catalog.scan(base: "mem://repo/base", wal: [Self.wal], cache: cache)
    cache.save()
    return (catalog, cache)
  }

  private func segment(_ number: Int) -> String { "\(Self.wal)/00000001000000000000000\(number)" }

  @Test func anObjectRewrittenWithTheSameSizeAndTimeIsReadAgain() throws {
    let directory = try TemporaryDirectory("cache-version")
    defer { directory.remove() }
    let store = VersionedStore()
    store.put("mem://repo/base/README", Array("no backup here".utf8), version: "r1")
    for number in 2...3 {
      store.put(
        segment(number), RepositoryFixture.segmentBytes("00000001000000000000000\(number)"), version: "v\(number)")
    }
    let (cold, first) = scan(store, cacheDirectory: directory.file("cache"))
    #expect(cold.archive.segments.count == 2)
    #expect(!cold.diagnostics.contains { $0.location == .file(segment(3)) })
    #expect(first.hits == 0)

    // Segment 3 rewritten with segment 2's bytes: same size, same time, another version.
    store.put(segment(3), RepositoryFixture.segmentBytes("000000010000000000000002"), version: "v3-rewritten")
    let (rewritten, second) = scan(store, cacheDirectory: directory.file("cache"))

    #expect(second.misses >= 1)
    #expect(rewritten.diagnostics.contains { $0.location == .file(segment(3)) }, "\(rewritten.diagnostics)")
  }

  @Test func anUnchangedVersionIsAHitWhateverTheTimeSays() throws {
    let directory = try TemporaryDirectory("cache-version")
    defer { directory.remove() }
    let store = VersionedStore()
    store.put("mem://repo/base/README", Array("no backup here".utf8), version: "r1")
    for number in 2...3 {
      store.put(
        segment(number), RepositoryFixture.segmentBytes("00000001000000000000000\(number)"), version: "v\(number)")
    }
    _ = scan(store, cacheDirectory: directory.file("cache"))
    // A copy of the same object (same ETag) has a later Last-Modified: still the same bytes.
    for number in 2...3 {
      store.put(
        segment(number), RepositoryFixture.segmentBytes("00000001000000000000000\(number)"), version: "v\(number)",
        modified: 1_800_000_000_000_000_000)
    }
    let (catalog, cache) = scan(store, cacheDirectory: directory.file("cache"))

    #expect(catalog.archive.segments.count == 2)
    #expect(cache.misses == 0)
    #expect(cache.hits >= 2)
  }
}
