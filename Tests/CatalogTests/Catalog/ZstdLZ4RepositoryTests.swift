import Archives
import Catalog
import Foundation
import PostgresVocabulary
import Testing
import _PITRTestSupport

/// Repositories written as `pg_basebackup -Z server-zstd|server-lz4` and a compressing
/// `archive_command` leave them: `base.tar.zst`, `base.tar.lz4`, segments `….zst`, `….lz4`.
@Suite struct ZstdLZ4RepositoryTests {
  @Test(arguments: [CompressionKind.zstd, .lz4])
  func backupsAndSegmentsAreCatalogued(kind: CompressionKind) throws {
    let fixture = try RepositoryFixture()
    defer { fixture.remove() }
    let folder = try fixture.writeBackup(
      .init(id: "b1", format: .compressedTar(kind), includedSegments: ["000000010000000000000002"]))
    #expect(FileManager.default.fileExists(atPath: "\(folder)/base.tar.\(kind.fileSuffix)"))
    for number in 2...4 {
      try fixture.writeSegment("00000001000000000000000\(number)", compression: kind)
    }
    let cacheDirectory = fixture.directory.file("cache")
    for pass in ["scanned", "cached"] {
      let catalog = fixture.scan(
        cache: CatalogCache(directory: cacheDirectory, folders: [fixture.base, fixture.wal]))
      #expect(catalog.diagnostics.filter { $0.severity == .error }.isEmpty, "\(pass)")
      let backup = try #require(catalog.backups.first, "\(pass)")
      #expect(backup.compression == kind.description, "\(pass)")
      #expect(backup.label.startLSN == LSN("0/200028"))
      #expect(backup.control?.systemIdentifier == RepositoryFixture.systemIdentifier)
      #expect(backup.pgVersion == 15)
      #expect(backup.files.map(\.role) == [.manifest, .base, .wal])
      guard case .verified = backup.manifest else {
        Issue.record("manifest not verified: \(backup.manifest)")
        return
      }
      #expect(
        catalog.archive.segments.map { ($0.path as NSString).lastPathComponent } == [
          "000000010000000000000002.\(kind.fileSuffix)",
          "000000010000000000000003.\(kind.fileSuffix)",
          "000000010000000000000004.\(kind.fileSuffix)",
        ], "\(pass)")
      #expect(
        catalog.archive.segments.map(\.compression) == Array(repeating: kind.description, count: 3),
        "\(pass)")
    }
  }

  @Test func aTruncatedZstdBaseArchiveIsReportedWithItsByte() throws {
    let fixture = try RepositoryFixture()
    defer { fixture.remove() }
    let folder = try fixture.writeBackup(.init(id: "b1", format: .compressedTar(.zstd)))
    let archive = "\(folder)/base.tar.zst"
    let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: archive)))
    try fixture.write(Array(bytes.prefix(bytes.count - 10)), to: archive)
    let catalog = fixture.scan()
    #expect(catalog.backups.isEmpty)
    let messages = catalog.diagnostics.map { "\($0.location?.file ?? ""): \($0.message)" }
    let expected = "\(archive): zstd stream truncated at byte \(bytes.count - 10) of \(archive)"
    #expect(messages.contains(expected), "\(messages)")
  }
}
