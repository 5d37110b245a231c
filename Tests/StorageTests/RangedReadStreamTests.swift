import Archives
import Storage
import Testing
import _PITRTestSupport

/// `RangedReadStream`: the bytes a tar reader sees are those of the file, with few requests.
@Suite struct RangedReadStreamTests {
  /// A tar of small files around two large ones.
  static func archive() throws -> [UInt8] {
    var tar = TarWriter([UInt8]())
    try tar.append(.file("backup_label"), data: Array("START WAL LOCATION: 0/2000028\n".utf8))
    for index in 0..<30 {
      try tar.append(.file("base/5/\(index)"), data: [UInt8](repeating: UInt8(index), count: 9000))
    }
    try tar.append(.file("base/5/big"), data: [UInt8](repeating: 1, count: 6 << 20))
    try tar.append(.file("base/5/near"), data: [UInt8](repeating: 2, count: 1 << 20))
    try tar.append(.file("base/5/huge"), data: [UInt8](repeating: 3, count: 9 << 20))
    try tar.append(.file("global/pg_control"), data: [UInt8](repeating: 4, count: 8192))
    return try tar.finish()
  }

  /// Every entry's path and size, and the contents of the small ones.
  static func walk(_ stream: some ByteStream) throws -> [String] {
    var reader = TarReader(stream)
    var seen: [String] = []
    while let entry = try reader.next() {
      var line = "\(entry.path) \(entry.size)"
      if entry.size < 10000 { line += " \(try reader.readAll(limit: 10000).reduce(0) { $0 &+ Int($1) })" }
      seen.append(line)
    }
    return seen
  }

  @Test func aTarWalkSeesWhatAWholeReadSeesWithFewRequests() throws {
    let bytes = try Self.archive()
    final class Log { var calls: [Range<Int64>] = [] }
    let log = Log()
    let ranged = RangedReadStream(path: "s3://b/base.tar", size: Int64(bytes.count)) { range in
      log.calls.append(range)
      return Array(bytes[Int(range.lowerBound)..<min(bytes.count, Int(range.upperBound))])
    }
    #expect(try Self.walk(ranged) == Self.walk(MemoryByteStream(bytes)))
    let calls = log.calls
    // The small files in the first window; the 6 MiB and 9 MiB files skipped (one request
    // after each); the 1 MiB one read through with the next window (one more).
    #expect(calls.count == 4)
    let read = calls.reduce(Int64(0)) { $0 + Int64($1.count) }
    #expect(read < Int64(bytes.count) / 3)
  }

  @Test func aFileShorterThanListedIsAnError() throws {
    let bytes = try Self.archive()
    let cut = Array(bytes.prefix(4 << 20))
    let ranged = RangedReadStream(path: "ssh://h/base.tar", size: Int64(bytes.count)) { range in
      guard Int(range.lowerBound) < cut.count else { return [] }
      return Array(cut[Int(range.lowerBound)..<min(cut.count, Int(range.upperBound))])
    }
    let error = #expect(throws: ArchiveError.self) { try Self.walk(ranged) }
    #expect(
      error?.description
        == "the file ends before the \(bytes.count) bytes it was listed with (it changed since it "
        + "was listed) at byte 6584832 of ssh://h/base.tar")
  }

  @Test func aSkipPastTheListedSizeStopsThere() throws {
    var ranged = RangedReadStream(path: "p", size: 1000, window: 512) { range in
      [UInt8](repeating: 7, count: Int(range.count))
    }
    var buffer = [UInt8](repeating: 0, count: 10)
    #expect(try buffer.withUnsafeMutableBytes { try ranged.read(into: $0) } == 10)
    #expect(try ranged.skip(5000) == 990)
    #expect(try buffer.withUnsafeMutableBytes { try ranged.read(into: $0) } == 0)
  }
}
