import Archives
import Testing
import _PITRTestSupport

@testable import Execution

@Suite struct ReadAheadStreamTests {
  /// A stream of `count` bytes that throws `error` after them.
  private struct FailingStream: ByteStream {
    var remaining: Int
    let error: ArchiveError
    var name: String? { "failing" }

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
      guard remaining > 0 else { throw error }
      let count = min(buffer.count, remaining)
      for index in 0..<count { buffer[index] = UInt8(truncatingIfNeeded: index) }
      remaining -= count
      return count
    }
  }

  private func readAll(_ stream: ReadAheadStream, chunk: Int) throws -> [UInt8] {
    var output: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: chunk)
    while true {
      let count = try buffer.withUnsafeMutableBytes { try stream.read(into: $0) }
      if count == 0 { return output }
      output += buffer[..<count]
    }
  }

  @Test(arguments: [0, 1, ReadAheadStream.chunkSize, 5 * ReadAheadStream.chunkSize + 17])
  func givesEveryByteInOrder(size: Int) throws {
    var random = SeededRandom(seed: 3)
    let content = random.bytes(size)
    let stream = ReadAheadStream(MemoryByteStream(content, name: "memory"))
    #expect(stream.name == "memory")
    #expect(try readAll(stream, chunk: 300_001) == content)
    var buffer = [UInt8](repeating: 0, count: 8)
    #expect(try buffer.withUnsafeMutableBytes { try stream.read(into: $0) } == 0)
  }

  @Test func anErrorComesAfterTheBytesBeforeIt() throws {
    let failure = ArchiveError(.corrupt, "bad bytes", offset: 42, file: "failing")
    let size = 2 * ReadAheadStream.chunkSize + 5
    let stream = ReadAheadStream(FailingStream(remaining: size, error: failure))
    var buffer = [UInt8](repeating: 0, count: 4096)
    var total = 0
    let error = #expect(throws: ArchiveError.self) {
      while true {
        total += try buffer.withUnsafeMutableBytes { try stream.read(into: $0) }
      }
    }
    #expect(total == size)
    #expect(error?.description == failure.description)
    #expect(throws: ArchiveError.self) {
      _ = try buffer.withUnsafeMutableBytes { try stream.read(into: $0) }
    }
  }

  @Test func droppingItEarlyStopsTheThread() throws {
    var random = SeededRandom(seed: 4)
    let content = random.bytes(20 * ReadAheadStream.chunkSize)
    for _ in 0..<20 {
      let stream = ReadAheadStream(MemoryByteStream(content))
      var buffer = [UInt8](repeating: 0, count: 10)
      #expect(try buffer.withUnsafeMutableBytes { try stream.read(into: $0) } == 10)
      #expect(buffer == Array(content[..<10]))
    }
  }
}
