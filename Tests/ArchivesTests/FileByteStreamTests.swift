import Archives
import Foundation
import Testing
import _PITRTestSupport

@Suite struct FileByteStreamTests {
  @Test func readsSkipsAndCountsTheOffset() throws {
    let directory = try TemporaryDirectory("archives-file")
    defer { directory.remove() }
    let path = directory.file("data")
    let content = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 * 7) }
    try Data(content).write(to: URL(fileURLWithPath: path))
    let file = try FileByteStream(path: path)
    var buffer = [UInt8](repeating: 0, count: 10)
    #expect(try buffer.withUnsafeMutableBytes { try file.read(into: $0) } == 10)
    #expect(buffer == Array(content[0..<10]))
    #expect(try file.skip(50_000) == 50_000)
    #expect(file.offset == 50_010)
    #expect(try buffer.withUnsafeMutableBytes { try file.read(into: $0) } == 10)
    #expect(buffer == Array(content[50_010..<50_020]))
    #expect(try file.skip(1_000_000) == 100_000 - 50_020)
    #expect(try buffer.withUnsafeMutableBytes { try file.read(into: $0) } == 0)
    #expect(file.offset == 100_000)
    file.close()
    #expect(throws: ArchiveError.self) {
      _ = try buffer.withUnsafeMutableBytes { try file.read(into: $0) }
    }
  }

  @Test func readingADirectoryIsAnIOError() throws {
    let directory = try TemporaryDirectory("archives-dir")
    defer { directory.remove() }
    let file = try FileByteStream(path: directory.path)
    var buffer = [UInt8](repeating: 0, count: 10)
    let error = #expect(throws: ArchiveError.self) {
      _ = try buffer.withUnsafeMutableBytes { try file.read(into: $0) }
    }
    #expect(error?.kind == .io)
    #expect(error?.description.contains(directory.path) == true)
  }
}
