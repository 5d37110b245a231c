/// The decompressed bytes of a file whose compression is told by its magic bytes.
///
/// Plain files are read as they are; gzip (through ISA-L's igzip, or zlib when `PITR_GZIP=zlib`:
/// ``GzipInflater``), zstd and lz4 (frame) files are decompressed; bzip2
/// and xz are refused with a clear error. This is the usual way to open a base backup's
/// `base.tar[.gz|.zst|.lz4]` or an archived WAL segment `…[.gz|.zst|.lz4]`. The magic bytes
/// are read through a separate open, so `path` must be a regular file, not a pipe.
public struct DecompressedFileStream: ByteStream {
  /// What decompresses the file.
  private enum Decoder {
    case plain
    case gzip(GzipByteStream<FileByteStream>)
    case igzip(IgzipByteStream<FileByteStream>)
    case zstd(ZstdByteStream<FileByteStream>)
    case lz4(LZ4ByteStream<FileByteStream>)
  }

  /// The file as it is on disk.
  public let file: FileByteStream
  /// How the file is compressed.
  public let compression: CompressionKind
  private let decoder: Decoder

  public var name: String? { file.path }

  /// How many bytes of the file (compressed, when it is) have been read so far.
  public var compressedBytesRead: Int64 { file.offset }

  /// Opens `path` and picks the decompressor its first bytes call for.
  ///
  /// - Throws: ``ArchiveError``: ``ArchiveError/Kind/io`` when the file cannot be opened or read,
  ///   ``ArchiveError/Kind/unsupportedCompression`` for bzip2 and xz.
  public init(path: String) throws {
    let compression = try CompressionKind.detect(path: path)
    switch compression {
    case .none:
      file = try FileByteStream(path: path)
      decoder = .plain
    case .gzip:
      file = try FileByteStream(path: path)
      switch GzipInflater.preferred {
      case .igzip: decoder = .igzip(try IgzipByteStream(file))
      case .zlib: decoder = .gzip(try GzipByteStream(file))
      }
    case .zstd:
      file = try FileByteStream(path: path)
      decoder = .zstd(try ZstdByteStream(file))
    case .lz4:
      file = try FileByteStream(path: path)
      decoder = .lz4(try LZ4ByteStream(file))
    case .bzip2, .xz:
      throw ArchiveError.unsupported(compression, in: path)
    }
    self.compression = compression
  }

  public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    switch decoder {
    case .plain: try file.read(into: buffer)
    case .gzip(let stream): try stream.read(into: buffer)
    case .igzip(let stream): try stream.read(into: buffer)
    case .zstd(let stream): try stream.read(into: buffer)
    case .lz4(let stream): try stream.read(into: buffer)
    }
  }

  public mutating func skip(_ count: Int64) throws -> Int64 {
    switch decoder {
    case .plain: try file.skip(count)
    case .gzip(let stream): try stream.skip(count)
    case .igzip(let stream): try stream.skip(count)
    case .zstd(let stream): try stream.skip(count)
    case .lz4(let stream): try stream.skip(count)
    }
  }
}
