import Archives
import Testing
import _PITRTestSupport

/// The gzip streams' tests, run against zlib's (``GzipByteStream``) and igzip's
/// (``IgzipByteStream``): both must give the same bytes and the same errors.
@Suite struct GzipByteStreamTests {
  /// A gzip stream of `inflater`'s over `source`, with what the tests read of it.
  private final class Inflating<Source: ByteStream> {
    private var gzip: GzipByteStream<Source>?
    private var igzip: IgzipByteStream<Source>?

    init(_ inflater: GzipInflater, _ source: Source) throws {
      switch inflater {
      case .zlib: gzip = try GzipByteStream(source)
      case .igzip: igzip = try IgzipByteStream(source)
      }
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
      if let gzip { return try gzip.read(into: buffer) }
      return try igzip!.read(into: buffer)
    }

    func skip(_ count: Int64) throws -> Int64 {
      if let gzip { return try gzip.skip(count) }
      return try igzip!.skip(count)
    }

    func readFully(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
      var filled = 0
      while filled < buffer.count {
        let got = try read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
        if got == 0 { break }
        filled += got
      }
      return filled
    }

    var decompressedBytesRead: Int64 {
      gzip?.decompressedBytesRead ?? igzip!.decompressedBytesRead
    }
  }

  /// Inflates all of `compressed` with `inflater`, reading `chunk` bytes at a time; the
  /// source hands over at most `sourceChunk` bytes per read.
  private func inflate(
    _ compressed: [UInt8], with inflater: GzipInflater, chunk: Int = 1000,
    sourceChunk: Int = .max
  ) throws -> [UInt8] {
    let stream = try Inflating(
      inflater, TrickleByteStream(MemoryByteStream(compressed, name: "sample.gz"), at: sourceChunk))
    var output: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: chunk)
    while true {
      let count = try buffer.withUnsafeMutableBytes { try stream.read(into: $0) }
      if count == 0 { return output }
      output += buffer[..<count]
    }
  }

  @Test(arguments: GzipInflater.allCases, [1, 511, 4096, 1 << 20])
  func roundTripsInAnyChunkSize(inflater: GzipInflater, chunk: Int) throws {
    var random = SeededRandom(seed: 7)
    let content = ArchiveSamples.text(150_000) + random.bytes(100_000)
    #expect(try inflate(try gzip(content), with: inflater, chunk: chunk) == content)
  }

  @Test(arguments: GzipInflater.allCases, [1, 7, 4096])
  func roundTripsWhateverTheSourceHandsOver(inflater: GzipInflater, sourceChunk: Int) throws {
    var random = SeededRandom(seed: 9)
    let content = ArchiveSamples.text(40_000) + random.bytes(20_000)
    let compressed = try gzip(content)
    #expect(try inflate(compressed, with: inflater, sourceChunk: sourceChunk) == content)
  }

  @Test(arguments: GzipInflater.allCases)
  func emptyContentRoundTrips(inflater: GzipInflater) throws {
    #expect(try inflate(try gzip([]), with: inflater) == [])
  }

  @Test(arguments: GzipInflater.allCases, [1, 3, 7, 64, .max])
  func readsConcatenatedMembersAsOneStream(inflater: GzipInflater, sourceChunk: Int) throws {
    let parts = [
      ArchiveSamples.text(70_000, seed: 1), [], ArchiveSamples.text(3, seed: 2), [],
      ArchiveSamples.text(10, seed: 3),
    ]
    let compressed = try parts.flatMap { try gzip($0) }
    #expect(
      try inflate(compressed, with: inflater, sourceChunk: sourceChunk) == parts.flatMap { $0 })
  }

  @Test(arguments: GzipInflater.allCases)
  func readsMembersOfEveryLevel(inflater: GzipInflater) throws {
    let parts = (0...9).map { ArchiveSamples.text(20_000, seed: UInt64($0)) }
    let compressed = try parts.enumerated().flatMap { try gzip($1, level: Int32($0)) }
    #expect(try inflate(compressed, with: inflater, chunk: 4096) == parts.flatMap { $0 })
  }

  @Test(arguments: GzipInflater.allCases)
  func skippingCountsDecompressedBytes(inflater: GzipInflater) throws {
    let content = ArchiveSamples.text(300_000)
    let stream = try Inflating(inflater, MemoryByteStream(try gzip(content)))
    #expect(try stream.skip(250_000) == 250_000)
    var buffer = [UInt8](repeating: 0, count: 100)
    _ = try buffer.withUnsafeMutableBytes { try stream.readFully(into: $0) }
    #expect(buffer == Array(content[250_000..<250_100]))
    #expect(try stream.skip(1_000_000) == 300_000 - 250_100)
    #expect(stream.decompressedBytesRead == 300_000)
  }

  @Test(arguments: GzipInflater.allCases)
  func truncatedStreamIsAnErrorAtItsLength(inflater: GzipInflater) throws {
    let compressed = try gzip(ArchiveSamples.text(50_000))
    for length in [
      0, 1, 5, 10, 100, compressed.count / 2, compressed.count - 8, compressed.count - 1,
    ] {
      let error = #expect(throws: ArchiveError.self, "length \(length)") {
        _ = try inflate(Array(compressed[..<length]), with: inflater)
      }
      #expect(error?.kind == .truncated)
      #expect(error?.offset == Int64(length))
      #expect(error?.description == "gzip stream truncated at byte \(length) of sample.gz")
    }
  }

  @Test(arguments: GzipInflater.allCases)
  func truncatedSecondMemberIsAnError(inflater: GzipInflater) throws {
    let first = try gzip(Array("first".utf8))
    let second = try gzip(Array("second".utf8))
    for cut in [1, 4, 12, second.count - 1] {
      let error = #expect(throws: ArchiveError.self, "cut \(cut)") {
        _ = try inflate(first + second.prefix(cut), with: inflater)
      }
      #expect(error?.kind == .truncated)
      #expect(
        error?.description
          == "gzip stream truncated at byte \(first.count + cut) of sample.gz")
    }
  }

  @Test(arguments: GzipInflater.allCases)
  func corruptDataIsAnErrorWithItsOffset(inflater: GzipInflater) throws {
    var compressed = try gzip(ArchiveSamples.text(50_000))
    compressed[compressed.count - 6] ^= 0xFF  // inside the CRC-32 trailer
    let error = #expect(throws: ArchiveError.self) {
      _ = try inflate(compressed, with: inflater)
    }
    #expect(error?.kind == .corrupt)
    #expect(
      error?.description.hasPrefix("corrupt gzip data (incorrect data check) at byte ") == true)
    #expect(error?.description.hasSuffix(" of sample.gz") == true)
  }

  @Test(arguments: GzipInflater.allCases)
  func corruptLengthIsAnError(inflater: GzipInflater) throws {
    var compressed = try gzip(ArchiveSamples.text(50_000))
    compressed[compressed.count - 2] ^= 0x01  // inside the ISIZE trailer
    let error = #expect(throws: ArchiveError.self) {
      _ = try inflate(compressed, with: inflater)
    }
    #expect(error?.kind == .corrupt)
    #expect(error?.description.hasPrefix("corrupt gzip data (incorrect ") == true)
  }

  @Test(arguments: GzipInflater.allCases)
  func corruptDeflateDataIsAnError(inflater: GzipInflater) throws {
    var compressed = try gzip(ArchiveSamples.text(50_000))
    for index in 10..<40 { compressed[index] = 0xFF }
    let error = #expect(throws: ArchiveError.self) {
      _ = try inflate(compressed, with: inflater)
    }
    #expect(error?.kind == .corrupt)
    #expect(error?.description.hasPrefix("corrupt gzip data (") == true)
    #expect(error?.description.hasSuffix(" of sample.gz") == true)
  }

  @Test(arguments: GzipInflater.allCases)
  func badHeaderIsCorrupt(inflater: GzipInflater) throws {
    var compressed = try gzip(Array("x".utf8))
    compressed[2] = 0x07  // compression method must be 8 (deflate)
    let error = #expect(throws: ArchiveError.self) { _ = try inflate(compressed, with: inflater) }
    #expect(error?.kind == .corrupt)
    #expect(error?.offset ?? 99 <= 10)
  }

  @Test(arguments: GzipInflater.allCases)
  func trailingGarbageIsCorrupt(inflater: GzipInflater) throws {
    let compressed = try gzip(Array("content".utf8)) + Array("garbage".utf8)
    let error = #expect(throws: ArchiveError.self) { _ = try inflate(compressed, with: inflater) }
    #expect(error?.kind == .corrupt)
  }

  @Test(arguments: GzipInflater.allCases)
  func anErrorIsThrownAgainOnEveryLaterRead(inflater: GzipInflater) throws {
    let stream = try Inflating(inflater, MemoryByteStream([0x1F, 0x8B, 0x08]))
    var buffer = [UInt8](repeating: 0, count: 16)
    for _ in 0..<3 {
      #expect(throws: ArchiveError.self) {
        _ = try buffer.withUnsafeMutableBytes { try stream.read(into: $0) }
      }
    }
  }
}

/// A stream handing over at most `limit` bytes of another per read, as a pipe or a socket may.
struct TrickleByteStream<Source: ByteStream>: ByteStream {
  var source: Source
  let limit: Int

  init(_ source: Source, at limit: Int) {
    self.source = source
    self.limit = limit
  }

  var name: String? { source.name }

  mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    let count = min(buffer.count, limit)
    return try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[..<count]))
  }
}
