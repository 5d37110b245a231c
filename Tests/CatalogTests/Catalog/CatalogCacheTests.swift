import Catalog
import Foundation
import Testing
import _PITRTestSupport

#if canImport(Glibc)
  import Glibc
#endif

@Suite struct CatalogCacheTests {
  @Test func aSecondScanRereadsNothing() throws {
    let fixture = try RepositoryFixture()
    defer { fixture.remove() }
    try fixture.writeBackup(.init(id: "b1"))
    try fixture.writeSegments(timeline: 1, 2...9)
    try fixture.writeHistory(timeline: 2, [(1, "0/480000", "r")])
    let cacheDirectory = fixture.directory.file("cache")
    let first = CatalogCache(directory: cacheDirectory, folders: [fixture.base, fixture.wal])
    let cold = Catalog.scan(base: fixture.base, wal: [fixture.wal], cache: first)
    #expect(first.hits == 0)
    let second = CatalogCache(directory: cacheDirectory, folders: [fixture.base, fixture.wal])
    let warm = Catalog.scan(base: fixture.base, wal: [fixture.wal], cache: second)
    #expect(second.misses == 0)
    // Headers of 8 segments, the history file, the backup, and the 8 segments summarised
    // while looking back for the windows' last transaction (these hold none).
    #expect(second.hits == 8 + 1 + 1 + 8)
    #expect(try catalogJSON(warm) == catalogJSON(cold))
  }

  @Test func aChangedFileIsReadAgain() throws {
    let fixture = try RepositoryFixture()
    defer { fixture.remove() }
    try fixture.writeSegments(timeline: 1, 2...3)
    let cacheDirectory = fixture.directory.file("cache")
    _ = Catalog.scan(
      base: fixture.base, wal: [fixture.wal],
      cache: CatalogCache(directory: cacheDirectory, folders: [fixture.wal]))
    // Overwrite segment 3 with segment 2's bytes: same size, new content and mtime.
    let path = "\(fixture.wal)/000000010000000000000003"
    try fixture.write(RepositoryFixture.segmentBytes("000000010000000000000002"), to: path)
    var times = [timespec(tv_sec: 2_000_000_000, tv_nsec: 0), timespec(tv_sec: 2_000_000_000, tv_nsec: 0)]
    utimensat(AT_FDCWD, path, &times, 0)
    let cache = CatalogCache(directory: cacheDirectory, folders: [fixture.wal])
    let catalog = Catalog.scan(base: fixture.base, wal: [fixture.wal], cache: cache)
    #expect(cache.misses >= 1)
    #expect(catalog.diagnostics.contains { $0.location == .file(path) })
  }

  @Test func aCorruptCacheFileIsIgnored() throws {
    let fixture = try RepositoryFixture()
    defer { fixture.remove() }
    try fixture.writeSegments(timeline: 1, 2...3)
    let cacheDirectory = fixture.directory.file("cache")
    let cache = CatalogCache(directory: cacheDirectory, folders: [fixture.wal])
    let path = try #require(cache.path)
    try fixture.write(Array("pitr-catalog-cache 6\nS\tgarbage\nB\tx\n\u{0}\u{1}".utf8), to: path)
    let reopened = CatalogCache(directory: cacheDirectory, folders: [fixture.wal])
    let catalog = Catalog.scan(base: fixture.base, wal: [fixture.wal], cache: reopened)
    #expect(catalog.archive.segments.count == 2)
    #expect(reopened.hits == 0)
  }

  @Test func defaultDirectoryFollowsXDG() {
    #expect(CatalogCache.defaultDirectory(environment: ["XDG_CACHE_HOME": "/x"]) == "/x/pitr")
    #expect(CatalogCache.defaultDirectory(environment: ["HOME": "/home/dba"]) == "/home/dba/.cache/pitr")
  }

  private func catalogJSON(_ catalog: Catalog) throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return try encoder.encode(catalog)
  }
}
