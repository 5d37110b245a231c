/// The decompressed bytes of a file whose compression is told by its magic bytes.
///
/// Plain files are read as they are and gzip files are inflated; the other kinds
/// ``CompressionKind`` detects are refused with a clear error. This is the usual way to open a
/// base backup's `base.tar[.gz]` or an archived WAL segment `…[.gz]`. The magic bytes are read
/// through a separate open, so `path` must be a regular file, not a pipe.
public struct DecompressedFileStream: ByteStream {
  /// The file as it is on disk.
  public let file: FileByteStream
  /// How the file is compressed.
  public let compression: CompressionKind
  private let gzip: GzipByteStream<FileByteStream>?

  public var name: String? { file.path }

  /// How many bytes of the file (compressed, when it is) have been read so far.
  public var compressedBytesRead: Int64 { file.offset }

  /// Opens `path` and picks the decompressor its first bytes call for.
  ///
  /// - Throws: ``ArchiveError``: ``ArchiveError/Kind/io`` when the file cannot be opened or read,
  ///   ``ArchiveError/Kind/unsupportedCompression`` for zstd, lz4, bzip2 and xz.
  public init(path: String) throws {
    let compression = try CompressionKind.detect(path: path)
    switch compression {
    case .none:
      file = try FileByteStream(path: path)
      gzip = nil
    case .gzip:
      file = try FileByteStream(path: path)
      gzip = try GzipByteStream(file)
    case .zstd, .lz4, .bzip2, .xz:
      throw ArchiveError.unsupported(compression, in: path)
    }
    self.compression = compression
  }

  public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    if let gzip { return try gzip.read(into: buffer) }
    return try file.read(into: buffer)
  }

  public mutating func skip(_ count: Int64) throws -> Int64 {
    if let gzip { return try gzip.skip(count) }
    return try file.skip(count)
  }
}
