import Archives
import Foundation
import Testing
import _PITRTestSupport

@Suite struct CompressionKindTests {
  @Test(
    arguments: [
      ([0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00], CompressionKind.gzip),
      ([0x28, 0xB5, 0x2F, 0xFD, 0x04, 0x58], .zstd),
      ([0x04, 0x22, 0x4D, 0x18, 0x64, 0x40], .lz4),
      ([0x42, 0x5A, 0x68, 0x39, 0x31, 0x41], .bzip2),
      ([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00], .xz),
      (Array("backup_label".utf8), .none),
      ([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x01], .none),
      ([0x1F], .none),
      ([], .none),
    ] as [([UInt8], CompressionKind)])
  func detectsMagicBytes(bytes: [UInt8], expected: CompressionKind) {
    #expect(CompressionKind.detect(bytes) == expected)
    #expect(CompressionKind.detect(bytes + [0xAA, 0xBB, 0xCC]) == expected || bytes.count < 6)
  }

  @Test func everyKindIsDetectedFromItsOwnMagic() {
    for kind in CompressionKind.allCases where kind != .none {
      #expect(CompressionKind.detect(kind.magic + [0, 0, 0, 0]) == kind)
    }
  }

  @Test func detectsFilesByTheirFirstBytes() throws {
    let directory = try TemporaryDirectory("archives-detect")
    defer { directory.remove() }
    let gz = directory.file("segment.gz")
    let plain = directory.file("empty")
    try Data(try gzip(Array("hello".utf8))).write(to: URL(fileURLWithPath: gz))
    try Data().write(to: URL(fileURLWithPath: plain))
    #expect(try CompressionKind.detect(path: gz) == .gzip)
    #expect(try CompressionKind.detect(path: plain) == .none)
  }

  @Test func missingFileIsAnIOErrorNamingThePath() throws {
    let error = #expect(throws: ArchiveError.self) {
      try CompressionKind.detect(path: "/nonexistent/base.tar.gz")
    }
    #expect(error?.kind == .io)
    #expect(error?.description == "cannot open /nonexistent/base.tar.gz: No such file or directory")
  }

  @Test(arguments: [CompressionKind.bzip2, .xz])
  func openingUnsupportedCompressionIsAClearError(kind: CompressionKind) throws {
    let directory = try TemporaryDirectory("archives-unsupported")
    defer { directory.remove() }
    let path = directory.file("base.tar.\(kind)")
    try Data(kind.magic + [1, 2, 3]).write(to: URL(fileURLWithPath: path))
    let error = #expect(throws: ArchiveError.self) { try DecompressedFileStream(path: path) }
    #expect(error?.kind == .unsupportedCompression)
    #expect(error?.description.hasPrefix("unsupported compression \(kind) in \(path)") == true)
  }

  @Test func openingPlainGzipZstdAndLZ4FilesGivesTheSameBytes() throws {
    let directory = try TemporaryDirectory("archives-open")
    defer { directory.remove() }
    let content = ArchiveSamples.text(200_000)
    try Data(content).write(to: URL(fileURLWithPath: directory.file("plain")))
    try Data(try gzip(content)).write(to: URL(fileURLWithPath: directory.file("packed.gz")))
    try Data(try zstd(content)).write(to: URL(fileURLWithPath: directory.file("packed.zst")))
    try Data(try lz4(content)).write(to: URL(fileURLWithPath: directory.file("packed.lz4")))
    let kinds: [String: CompressionKind] = [
      "plain": .none, "packed.gz": .gzip, "packed.zst": .zstd, "packed.lz4": .lz4,
    ]
    for (name, kind) in kinds {
      var stream = try DecompressedFileStream(path: directory.file(name))
      var bytes = [UInt8](repeating: 0, count: content.count + 10)
      let count = try bytes.withUnsafeMutableBytes { try stream.readFully(into: $0) }
      #expect(count == content.count)
      #expect(Array(bytes[..<count]) == content)
      #expect(stream.compression == kind)
    }
  }
}
