import Archives
import Foundation
import Testing
import _PITRTestSupport

@testable import Execution

/// The prefetch step spools `.zst` and `.lz4` segments decompressed, as wal-fetch serves them.
@Suite struct PrefetchZstdLZ4Tests {
  @Test(arguments: [CompressionKind.zstd, .lz4])
  func aCompressedSegmentIsSpooledDecompressed(kind: CompressionKind) throws {
    let directory = try TemporaryDirectory("prefetch-\(kind)")
    defer { directory.remove() }
    let name = "000000010000000000000003"
    let segment = RepositoryFixture.segmentBytes(name)
    let source = directory.file("\(name).\(kind.fileSuffix)")
    try Data(try compressBytes(segment, as: kind)).write(to: URL(fileURLWithPath: source))
    let target = directory.file(name)

    try PrefetchWAL.decompress(source, to: target)

    #expect(Array(try Data(contentsOf: URL(fileURLWithPath: target))) == segment)
    #expect(!FileManager.default.fileExists(atPath: target + ".prefetch"))
  }

  @Test func aTruncatedZstdSegmentIsNamedAndNeverSpooled() throws {
    let directory = try TemporaryDirectory("prefetch-zstd-truncated")
    defer { directory.remove() }
    let name = "000000010000000000000003"
    let compressed = try zstd(RepositoryFixture.segmentBytes(name))
    let source = directory.file("\(name).zst")
    try Data(compressed.prefix(compressed.count - 1)).write(to: URL(fileURLWithPath: source))
    let target = directory.file(name)

    let error = try #require(throws: ArchiveError.self) {
      try PrefetchWAL.decompress(source, to: target)
    }

    #expect(error.description == "zstd stream truncated at byte \(compressed.count - 1) of \(source)")
    #expect(!FileManager.default.fileExists(atPath: target))
  }
}
