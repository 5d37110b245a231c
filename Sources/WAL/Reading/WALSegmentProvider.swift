import Archives
import PostgresVocabulary

/// Where a `WALReader` gets its segments, one segment number after another.
///
/// A provider decides which file holds each segment: a plain list of files, or (in the
/// catalog) the file recovery would read along a timeline's history.
public protocol WALSegmentProvider {
  /// The file for segment `number`, opened, or `nil` when there is none (WAL ends there).
  ///
  /// - Parameter number: the segment number (`LSN / segment size`).
  /// - Parameter size: the segment size, known once the first segment has been read; `nil`
  ///   for the first call.
  mutating func segment(number: UInt64?, size: WALSegmentSize?) throws -> WALSegmentFile?
}

/// One opened segment file: its name and a stream of its (decompressed) bytes.
public struct WALSegmentFile {
  public var name: WALSegmentName
  /// The file's path, for messages.
  public var path: String
  public var stream: any ByteStream

  public init(name: WALSegmentName, path: String, stream: any ByteStream) {
    self.name = name
    self.path = path
    self.stream = stream
  }

  /// Opens a segment file, plain or gzip'd (told by its first bytes).
  public static func open(_ name: WALSegmentName, path: String) throws -> WALSegmentFile {
    WALSegmentFile(name: name, path: path, stream: try DecompressedFileStream(path: path))
  }
}

/// Segments from a list of files, read in order of their names; the first one is where
/// reading starts, and a missing number ends the WAL.
public struct WALFileList: WALSegmentProvider {
  private var files: [(name: WALSegmentName, path: String)]
  private var nextIndex = 0
  private let open: (WALSegmentName, String) throws -> WALSegmentFile

  /// `files`: paths of segment files (plain or gzip'd); names are taken from their last path
  /// component and must be segment names. `open` opens one (a local file by default; the
  /// catalog passes one reading remote paths through its store).
  public init(
    files: [(name: WALSegmentName, path: String)],
    open: @escaping (WALSegmentName, String) throws -> WALSegmentFile = WALSegmentFile.open
  ) {
    self.files = files.sorted { $0.name < $1.name }
    self.open = open
  }

  public mutating func segment(number: UInt64?, size: WALSegmentSize?) throws -> WALSegmentFile? {
    guard nextIndex < files.count else { return nil }
    let file = files[nextIndex]
    if let number, let size, file.name.segmentNumber(size: size) != number {
      return nil
    }
    nextIndex += 1
    return try open(file.name, file.path)
  }
}
