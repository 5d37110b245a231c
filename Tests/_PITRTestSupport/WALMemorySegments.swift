import Archives
import PostgresVocabulary
import WAL

/// A `WALSegmentProvider` over segments held in memory, for tests that read many variants of
/// synthetic WAL without touching the disk. Like `WALFileList`, a gap in the numbers ends the
/// WAL.
public struct WALMemorySegments: WALSegmentProvider {
  private var files: [(name: WALSegmentName, bytes: [UInt8])]
  private var nextIndex = 0

  /// `files` in reading order (the first is where reading starts).
  public init(_ files: [(name: WALSegmentName, bytes: [UInt8])]) {
    self.files = files
  }

  public mutating func segment(number: UInt64?, size: WALSegmentSize?) throws -> WALSegmentFile? {
    guard nextIndex < files.count else { return nil }
    let file = files[nextIndex]
    if let number, let size, file.name.segmentNumber(size: size) != number { return nil }
    nextIndex += 1
    return WALSegmentFile(
      name: file.name, path: "memory/\(file.name)",
      stream: MemoryByteStream(file.bytes, name: "memory/\(file.name)"))
  }
}
