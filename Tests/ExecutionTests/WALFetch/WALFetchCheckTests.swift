import Execution
import Foundation
import PostgresVocabulary
import Testing
import _PITRTestSupport

/// What `wal-fetch` checks before recovery gets a segment, and that `%p` is never written
/// when a check fails: it is either the whole, checked file or what it was before.
@Suite struct WALFetchCheckTests {
  static let name = "000000010000000000000005"

  /// Fetches `bytes`, archived as the segment (gzip'd when asked), expecting a damaged file.
  func damage(
    _ bytes: [UInt8], gzip compress: Bool = false, systemIdentifier: UInt64? = nil
  ) throws -> String {
    let fixture = try WALFetchFixture()
    defer { fixture.remove() }
    let old = Array("what was there before".utf8)
    try fixture.repository.write(old, to: fixture.destination)
    let file = try fixture.put(
      compress ? try gzip(bytes) : bytes, at: "2026-11-22/\(Self.name)" + (compress ? ".gz" : ""))
    let error = try #require(throws: WALFetchError.self) {
      try fixture.fetch(Self.name, systemIdentifier: systemIdentifier)
    }
    #expect(error.kind == .damaged)
    #expect(error.file == file)
    #expect(error.description.hasPrefix("\(file): "))
    #expect(fixture.delivered() == old)
    #expect(fixture.pgWALFiles() == ["RECOVERYXLOG"])
    return String(error.description.dropFirst(file.count + 2))
  }

  @Test func anotherSegmentsPageAddressIsRefused() throws {
    let bytes = RepositoryFixture.segmentBytes(Self.name, pageAddress: LSN(rawValue: 3 << 20))
    #expect(
      try damage(bytes, gzip: true)
        == "xlp_pageaddr is 0/300000, but segment \(Self.name) starts at 0/500000: "
        + "the file holds another segment"
    )
  }

  @Test func anotherClustersSegmentIsRefusedWhenTheIdentifierIsGiven() throws {
    let bytes = RepositoryFixture.segmentBytes(Self.name, systemIdentifier: 42)
    #expect(
      try damage(bytes, systemIdentifier: RepositoryFixture.systemIdentifier)
        == "it belongs to another cluster: system identifier 42, "
        + "expected \(RepositoryFixture.systemIdentifier)"
    )
    // Without an expected identifier there is nothing to compare with.
    let fixture = try WALFetchFixture()
    defer { fixture.remove() }
    try fixture.put(bytes, at: Self.name)
    #expect(try fixture.fetch(Self.name) == .fetched(source: "\(fixture.archive)/\(Self.name)"))
  }

  @Test func aLaterTimelineInTheHeaderIsRefusedAnEarlierOneIsNot() throws {
    #expect(
      try damage(RepositoryFixture.segmentBytes(Self.name, headerTimeline: 2))
        == "its first page is on timeline 2, after the name's timeline 1")
    // A new timeline's first segment starts with its parent's pages.
    let fixture = try WALFetchFixture()
    defer { fixture.remove() }
    let name = "000000020000000000000005"
    try fixture.put(RepositoryFixture.segmentBytes(name, headerTimeline: 1), at: name)
    #expect(try fixture.fetch(name) == .fetched(source: "\(fixture.archive)/\(name)"))
  }

  @Test func unknownMagicAndMissingHeaderAreRefused() throws {
    #expect(
      try damage(RepositoryFixture.segmentBytes(Self.name, magic: 0xBEEF))
        == "unknown WAL page magic 0xBEEF")
    #expect(
      try damage(Array("not WAL at all".utf8))
        == "does not start with a WAL segment's long page header (too short, or not WAL)")
  }

  @Test func truncatedAndOverlongSegmentsAreRefused() throws {
    let bytes = RepositoryFixture.segmentBytes(Self.name)
    #expect(
      try damage(Array(bytes.prefix(700_000)), gzip: true)
        == "holds 700000 bytes, but a segment is 1048576 bytes: it is truncated")
    // More than one segment: the first MiB has been written to the temporary file by then.
    #expect(
      try damage(bytes + [1, 2, 3])
        == "holds more than the 1048576 bytes of a segment; it is not one segment")
  }

  @Test func corruptGzipDataIsRefused() throws {
    var compressed = try gzip(RepositoryFixture.segmentBytes(Self.name))
    let fixture = try WALFetchFixture()
    defer { fixture.remove() }
    compressed.removeLast(compressed.count / 2)
    let file = try fixture.put(compressed, at: Self.name + ".gz")
    let error = try #require(throws: WALFetchError.self) { try fixture.fetch(Self.name) }
    #expect(error.kind == .damaged)
    #expect(error.description.contains(file))
    #expect(error.description.contains("gzip stream truncated"))
    #expect(fixture.pgWALFiles().isEmpty)
  }

  @Test func aGoodFetchReplacesTheDestinationWhole() throws {
    let fixture = try WALFetchFixture()
    defer { fixture.remove() }
    try fixture.repository.write(Array("an earlier segment".utf8), to: fixture.destination)
    try fixture.repository.writeSegment(Self.name, gzip: true)
    _ = try fixture.fetch(Self.name)
    #expect(fixture.delivered() == RepositoryFixture.segmentBytes(Self.name))
    #expect(fixture.pgWALFiles() == ["RECOVERYXLOG"])
    let mode = try FileManager.default.attributesOfItem(atPath: fixture.destination)[
      .posixPermissions]
    #expect(mode as? Int == 0o600)
  }

  @Test func aReaderNeverSeesHalfAFile() throws {
    let fixture = try WALFetchFixture()
    defer { fixture.remove() }
    let names = ["000000010000000000000005", "000000010000000000000006"]
    for name in names { try fixture.repository.writeSegment(name, gzip: true) }
    _ = try fixture.fetch(names[0])
    let reader = DestinationReader(
      path: fixture.destination, expected: Set(names.map { RepositoryFixture.segmentBytes($0) }))
    reader.start()
    for round in 0..<40 { _ = try fixture.fetch(names[round % 2]) }
    let (seen, bad) = reader.stop()
    #expect(seen > 0)
    #expect(bad == 0, "\(bad) of \(seen) reads saw a missing or partial file")
    #expect(fixture.pgWALFiles() == ["RECOVERYXLOG"])
  }
}

/// Reads a file over and over on a thread of its own, counting the reads that did not give
/// one of the expected contents.
private final class DestinationReader: @unchecked Sendable {
  let path: String
  let expected: Set<[UInt8]>
  private let lock = NSCondition()
  private var seen = 0
  private var bad = 0
  private var stopping = false
  private var stopped = false

  init(path: String, expected: Set<[UInt8]>) {
    self.path = path
    self.expected = expected
  }

  /// Starts reading, and returns once the first read is done.
  func start() {
    Thread.detachNewThread { self.run() }
    lock.lock()
    while seen == 0 { lock.wait() }
    lock.unlock()
  }

  /// Stops reading; returns how many reads there were, and how many were wrong.
  func stop() -> (seen: Int, bad: Int) {
    lock.lock()
    stopping = true
    while !stopped { lock.wait() }
    defer { lock.unlock() }
    return (seen, bad)
  }

  private func run() {
    while true {
      let bytes = FileManager.default.contents(atPath: path).map { Array($0) }
      lock.lock()
      seen += 1
      if bytes.map(expected.contains) != true { bad += 1 }
      let done = stopping
      if done { stopped = true }
      lock.broadcast()
      lock.unlock()
      if done { return }
    }
  }
}
