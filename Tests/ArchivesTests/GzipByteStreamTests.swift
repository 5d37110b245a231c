import Archives
import Testing
import _PITRTestSupport

@Suite struct GzipByteStreamTests {
  /// Inflates all of `compressed`, reading `chunk` bytes at a time.
  private func inflate(_ compressed: [UInt8], chunk: Int = 1000) throws -> [UInt8] {
    let stream = try GzipByteStream(MemoryByteStream(compressed, name: "sample.gz"))
    var output: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: chunk)
    while true {
      let count = try buffer.withUnsafeMutableBytes { try stream.read(into: $0) }
      if count == 0 { return output }
      output += buffer[..<count]
    }
  }

  @Test(arguments: [1, 511, 4096, 1 << 20])
  func roundTripsInAnyChunkSize(chunk: Int) throws {
    var random = SeededRandom(seed: 7)
    let content = ArchiveSamples.text(150_000) + random.bytes(100_000)
    #expect(try inflate(try gzip(content), chunk: chunk) == content)
  }

  @Test func emptyContentRoundTrips() throws {
    #expect(try inflate(try gzip([])) == [])
  }

  @Test func readsConcatenatedMembersAsOneStream() throws {
    let parts = [ArchiveSamples.text(70_000, seed: 1), [], ArchiveSamples.text(3, seed: 2)]
    let compressed = try parts.flatMap { try gzip($0) }
    #expect(try inflate(compressed) == parts.flatMap { $0 })
  }

  @Test func skippingCountsDecompressedBytes() throws {
    let content = ArchiveSamples.text(300_000)
    var stream = try GzipByteStream(MemoryByteStream(try gzip(content)))
    #expect(try stream.skip(250_000) == 250_000)
    var buffer = [UInt8](repeating: 0, count: 100)
    _ = try buffer.withUnsafeMutableBytes { try stream.readFully(into: $0) }
    #expect(buffer == Array(content[250_000..<250_100]))
    #expect(try stream.skip(1_000_000) == 300_000 - 250_100)
    #expect(stream.decompressedBytesRead == 300_000)
  }

  @Test func truncatedStreamIsAnErrorAtItsLength() throws {
    let compressed = try gzip(ArchiveSamples.text(50_000))
    for length in [
      0, 1, 5, 10, 100, compressed.count / 2, compressed.count - 8, compressed.count - 1,
    ] {
      let error = #expect(throws: ArchiveError.self, "length \(length)") {
        _ = try inflate(Array(compressed[..<length]))
      }
      #expect(error?.kind == .truncated)
      #expect(error?.offset == Int64(length))
      #expect(error?.description == "gzip stream truncated at byte \(length) of sample.gz")
    }
  }

  @Test func truncatedSecondMemberIsAnError() throws {
    let first = try gzip(Array("first".utf8))
    let second = try gzip(Array("second".utf8))
    let error = #expect(throws: ArchiveError.self) {
      _ = try inflate(first + second.prefix(4))
    }
    #expect(error?.kind == .truncated)
  }

  @Test func corruptDataIsAnErrorWithItsOffset() throws {
    var compressed = try gzip(ArchiveSamples.text(50_000))
    compressed[compressed.count - 6] ^= 0xFF  // inside the CRC-32 trailer
    let error = #expect(throws: ArchiveError.self) { _ = try inflate(compressed) }
    #expect(error?.kind == .corrupt)
    #expect(
      error?.description.hasPrefix("corrupt gzip data (incorrect data check) at byte ") == true)
    #expect(error?.description.hasSuffix(" of sample.gz") == true)
  }

  @Test func badHeaderIsCorrupt() throws {
    var compressed = try gzip(Array("x".utf8))
    compressed[2] = 0x07  // compression method must be 8 (deflate)
    let error = #expect(throws: ArchiveError.self) { _ = try inflate(compressed) }
    #expect(error?.kind == .corrupt)
    #expect(error?.offset ?? 99 <= 10)
  }

  @Test func trailingGarbageIsCorrupt() throws {
    let compressed = try gzip(Array("content".utf8)) + Array("garbage".utf8)
    let error = #expect(throws: ArchiveError.self) { _ = try inflate(compressed) }
    #expect(error?.kind == .corrupt)
  }

  @Test func anErrorIsThrownAgainOnEveryLaterRead() throws {
    let stream = try GzipByteStream(MemoryByteStream([0x1F, 0x8B, 0x08]))
    var buffer = [UInt8](repeating: 0, count: 16)
    for _ in 0..<3 {
      #expect(throws: ArchiveError.self) {
        _ = try buffer.withUnsafeMutableBytes { try stream.read(into: $0) }
      }
    }
  }
}
