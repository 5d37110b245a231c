import Archives
import Foundation
import Testing
import _PITRTestSupport

/// ``ZstdByteStream`` and ``LZ4ByteStream``: what the `zstd` and `lz4` programs and the
/// libraries write is read back, in any chunk size; truncation and corruption are errors
/// naming the file and the compressed byte.
@Suite struct ZstdLZ4ByteStreamTests {
  /// Decompresses all of `compressed` as `kind`, reading `chunk` bytes at a time.
  private func decompress(
    _ compressed: [UInt8], as kind: CompressionKind, name: String = "sample", chunk: Int = 1000
  ) throws -> [UInt8] {
    let source = MemoryByteStream(compressed, name: name)
    var stream: any ByteStream =
      kind == .zstd ? try ZstdByteStream(source) : try LZ4ByteStream(source)
    var output: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: chunk)
    while true {
      let count = try buffer.withUnsafeMutableBytes { try stream.read(into: $0) }
      if count == 0 { return output }
      output += buffer[..<count]
    }
  }

  private static let kinds = [CompressionKind.zstd, .lz4]

  @Test(arguments: kinds, [1, 511, 4096, 1 << 20])
  func roundTripsInAnyChunkSize(kind: CompressionKind, chunk: Int) throws {
    var random = SeededRandom(seed: 7)
    let content = ArchiveSamples.text(150_000) + random.bytes(100_000)
    #expect(try decompress(try compressBytes(content, as: kind), as: kind, chunk: chunk) == content)
  }

  @Test(arguments: kinds)
  func emptyContentRoundTrips(kind: CompressionKind) throws {
    #expect(try decompress(try compressBytes([], as: kind), as: kind) == [])
  }

  @Test(arguments: kinds)
  func readsConcatenatedFramesAsOneStream(kind: CompressionKind) throws {
    let parts = [ArchiveSamples.text(70_000, seed: 1), [], ArchiveSamples.text(3, seed: 2)]
    let compressed = try parts.flatMap { try compressBytes($0, as: kind) }
    #expect(try decompress(compressed, as: kind) == parts.flatMap { $0 })
  }

  /// What the command-line programs write (zstd adds a checksum, lz4 its own block sizes),
  /// read through ``DecompressedFileStream`` as base backups and WAL are.
  @Test(arguments: [("zstd", "zst", CompressionKind.zstd), ("lz4", "lz4", .lz4)])
  func readsWhatTheProgramWrites(program: String, suffix: String, kind: CompressionKind) throws {
    let directory = try TemporaryDirectory("archives-\(program)")
    defer { directory.remove() }
    var random = SeededRandom(seed: 3)
    let content = ArchiveSamples.text(3_000_000) + random.bytes(500_000)
    let plain = directory.file("base.tar")
    try Data(content).write(to: URL(fileURLWithPath: plain))
    let result = try ProcessRunner.run("/usr/bin/\(program)", ["-q", plain, plain + "." + suffix])
    #expect(result.status == 0, "\(program): \(result.standardError)")
    #expect(try CompressionKind.detect(path: plain + "." + suffix) == kind)
    var stream = try DecompressedFileStream(path: plain + "." + suffix)
    #expect(stream.compression == kind)
    #expect(try stream.skip(1_000_000) == 1_000_000)
    var bytes = [UInt8](repeating: 0, count: content.count)
    let count = try bytes.withUnsafeMutableBytes { try stream.readFully(into: $0) }
    #expect(count == content.count - 1_000_000)
    #expect(Array(bytes[..<count]) == Array(content[1_000_000...]))
    #expect(stream.compressedBytesRead == Int64(try Data(contentsOf: URL(fileURLWithPath: plain + "." + suffix)).count))
  }

  @Test(arguments: kinds)
  func truncatedStreamIsAnErrorAtItsLength(kind: CompressionKind) throws {
    let compressed = try compressBytes(ArchiveSamples.text(50_000), as: kind)
    for length in [0, 1, 5, 10, 100, compressed.count / 2, compressed.count - 1] {
      let error = #expect(throws: ArchiveError.self, "length \(length)") {
        _ = try decompress(Array(compressed[..<length]), as: kind, name: "sample.\(kind.fileSuffix)")
      }
      #expect(error?.kind == .truncated)
      #expect(error?.offset == Int64(length))
      #expect(
        error?.description == "\(kind) stream truncated at byte \(length) of sample.\(kind.fileSuffix)")
    }
  }

  /// A `.zst` file cut short, as a full disk or an interrupted copy leaves it.
  @Test func truncatedZstdFileNamesTheFile() throws {
    let directory = try TemporaryDirectory("archives-zstd-truncated")
    defer { directory.remove() }
    let compressed = try zstd(ArchiveSamples.text(200_000))
    let path = directory.file("base.tar.zst")
    try Data(compressed.prefix(300)).write(to: URL(fileURLWithPath: path))
    var stream = try DecompressedFileStream(path: path)
    let error = #expect(throws: ArchiveError.self) { _ = try stream.skip(1 << 30) }
    #expect(error?.description == "zstd stream truncated at byte 300 of \(path)")
  }

  /// An `.lz4` file whose block data is damaged: liblz4's reason and where it stopped.
  @Test func corruptLZ4FileNamesTheFileAndTheReason() throws {
    let directory = try TemporaryDirectory("archives-lz4-corrupt")
    defer { directory.remove() }
    var compressed = try lz4(ArchiveSamples.text(200_000))
    compressed[4] ^= 0xFF  // the frame descriptor's FLG byte: reserved bit set
    let path = directory.file("000000010000000000000001.lz4")
    try Data(compressed).write(to: URL(fileURLWithPath: path))
    var stream = try DecompressedFileStream(path: path)
    let error = #expect(throws: ArchiveError.self) { _ = try stream.skip(1 << 30) }
    #expect(error?.kind == .corrupt)
    #expect(
      error?.description
        == "corrupt lz4 data (ERROR_reservedFlag_set) at byte 0 of \(path)")
  }

  @Test func corruptZstdDataGivesLibzstdsReason() throws {
    var compressed = try zstd(ArchiveSamples.text(50_000))
    compressed[4] = 0xFF  // the frame header descriptor: reserved bit set
    let error = #expect(throws: ArchiveError.self) {
      _ = try decompress(compressed, as: .zstd, name: "sample.zst")
    }
    #expect(error?.kind == .corrupt)
    #expect(error?.description.hasPrefix("corrupt zstd data (") == true)
    #expect(error?.description.hasSuffix(" of sample.zst") == true)
  }

  @Test(arguments: kinds)
  func trailingGarbageIsCorrupt(kind: CompressionKind) throws {
    let compressed = try compressBytes(Array("content".utf8), as: kind) + Array("garbage".utf8)
    let error = #expect(throws: ArchiveError.self) { _ = try decompress(compressed, as: kind) }
    #expect(error?.kind == .corrupt)
  }

  @Test(arguments: kinds)
  func anErrorIsThrownAgainOnEveryLaterRead(kind: CompressionKind) throws {
    let source = MemoryByteStream(kind.magic + [0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
    var stream: any ByteStream =
      kind == .zstd ? try ZstdByteStream(source) : try LZ4ByteStream(source)
    var buffer = [UInt8](repeating: 0, count: 16)
    for _ in 0..<3 {
      #expect(throws: ArchiveError.self) {
        _ = try buffer.withUnsafeMutableBytes { try stream.read(into: $0) }
      }
    }
  }

  @Test func suffixesNameTheirKinds() {
    #expect(CompressionKind.named(by: "base.tar.zst") == .zstd)
    #expect(CompressionKind.named(by: "000000010000000000000001.lz4") == .lz4)
    #expect(CompressionKind.named(by: "16390.tar.gz") == .gzip)
    #expect(CompressionKind.named(by: "base.tar") == nil)
    #expect(CompressionKind.named(by: "zst") == nil)
  }
}
