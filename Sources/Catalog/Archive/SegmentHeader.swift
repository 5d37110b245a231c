import Archives
import PostgresVocabulary
import Storage
import WAL

/// What the first page of an archived segment says about itself: enough to learn the segment
/// size and the cluster, and to check that the file is the segment its name claims.
public struct SegmentHeader: Hashable, Sendable, Codable {
  /// `xlp_magic`: which PostgreSQL version wrote it.
  public var magic: UInt16
  public var systemIdentifier: UInt64
  public var segmentSize: UInt32
  public var blockSize: UInt32
  /// `xlp_pageaddr` of the first page: the segment's start LSN.
  public var pageAddress: LSN
  /// `xlp_tli` of the first page (a new timeline's first segment keeps its parent's).
  public var timeline: TimelineID

  /// The PostgreSQL major version the magic stands for, if known.
  public var majorVersion: Int? { WALVersion(magic: magic)?.major }
}

/// Reads the long page header at the start of a segment file, plain or compressed (gzip, zstd,
/// lz4), looking at
/// the file's first bytes rather than its name to tell which.
enum SegmentHeaderReader {
  /// How much of a compressed file to read: the first 40 bytes of a segment inflate from far less.
  static let compressedPrefix = 4096

  /// The file's compression and header, or why there is no usable header.
  ///
  /// - Parameter start: The file's first ``compressedPrefix`` bytes (or the error reading
  ///   them), when they were read ahead.
  static func read(
    path: String, start: Result<[UInt8], any Error>? = nil
  ) -> Result<(CompressionKind, SegmentHeader), SegmentProblem> {
    let prefix: [UInt8]
    do {
      if let start {
        prefix = try start.get()
      } else if RepositoryStores.isRemote(path) {
        // One ranged read: a page header, or the start of a compressed segment.
        prefix = try RepositoryStores.current.read(path, range: 0..<Int64(compressedPrefix))
      } else {
        var file = try FileByteStream(path: path)
        defer { file.close() }
        var buffer = [UInt8](repeating: 0, count: compressedPrefix)
        let count = try buffer.withUnsafeMutableBytes { try file.readFully(into: $0) }
        prefix = Array(buffer.prefix(count))
      }
    } catch {
      return .failure(.unreadable(String(describing: error)))
    }
    let compression = CompressionKind.detect(prefix)
    let bytes: [UInt8]
    switch compression {
    case .none:
      bytes = Array(prefix.prefix(WALPageHeader.longSize))
    case .gzip, .zstd, .lz4:
      do {
        bytes = try decompressedPrefix(of: path, compression, compressedPrefix: prefix)
      } catch {
        return .failure(.unreadable(String(describing: error)))
      }
    default:
      return .failure(.unsupportedCompression(compression))
    }
    guard bytes.count >= WALPageHeader.longSize, let header = WALPageHeader(bytes),
      let segment = header.segment
    else {
      return .failure(.noLongHeader)
    }
    return .success(
      (
        compression,
        SegmentHeader(
          magic: header.magic, systemIdentifier: segment.systemIdentifier,
          segmentSize: segment.segmentSize, blockSize: segment.blockSize,
          pageAddress: header.pageAddress, timeline: header.timeline)
      ))
  }

  /// The first 40 decompressed bytes; from the prefix already read when it is enough, else from
  /// the file (a header that needs more than 4 KiB of compressed input is unusual).
  private static func decompressedPrefix(
    of path: String, _ compression: CompressionKind, compressedPrefix prefix: [UInt8]
  ) throws -> [UInt8] {
    var output = [UInt8](repeating: 0, count: WALPageHeader.longSize)
    do {
      guard var stream = try compression.decompressing(MemoryByteStream(prefix, name: path))
      else { return Array(prefix.prefix(output.count)) }
      let count = try output.withUnsafeMutableBytes { try stream.readFully(into: $0) }
      if count == output.count { return output }
    } catch let error as ArchiveError where error.kind == .truncated {
      // The header lies beyond the prefix: read the whole stream's start from the file.
    }
    var stream = try RepositoryStores.current.openDecompressed(path)
    let count = try output.withUnsafeMutableBytes { try stream.readFully(into: $0) }
    return Array(output.prefix(count))
  }
}

/// Why a file named like a segment gave no usable header.
enum SegmentProblem: Error, Hashable {
  case unreadable(String)
  case unsupportedCompression(CompressionKind)
  case noLongHeader

  var description: String {
    switch self {
    case .unreadable(let reason): reason
    case .unsupportedCompression(let kind):
      "compressed with \(kind), which pitr cannot read; decompress it or archive with gzip, zstd "
        + "or lz4"
    case .noLongHeader:
      "it does not start with a WAL segment header (too short, or not WAL)"
    }
  }
}
