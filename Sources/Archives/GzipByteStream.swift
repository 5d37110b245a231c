import CZlib

/// The decompressed bytes of a gzip stream read from another stream, inflated by zlib.
///
/// Concatenated gzip members are read as one stream, as `gzip -d` does. Memory is bounded: a
/// 64 KiB input buffer and zlib's own state (a 32 KiB window), never the whole file. A stream
/// that ends inside a member, and data zlib rejects (including anything after the last member
/// that is not another member), are errors naming the compressed byte offset.
///
/// A class because it owns zlib's state, which must not move in memory and must be freed.
public final class GzipByteStream<Source: ByteStream>: ByteStream {
  /// Where reading stands.
  private enum State {
    /// Inside a member.
    case inflating
    /// A member has ended; another may follow.
    case betweenMembers
    /// The last member has ended and no bytes follow.
    case finished
    /// An error was thrown; it is thrown again by every later read.
    case failed(any Error)
  }

  /// The compressed stream.
  public private(set) var source: Source
  /// How many compressed bytes have been read from ``source`` (some may still wait in the
  /// input buffer).
  public private(set) var compressedBytesRead: Int64 = 0
  /// How many decompressed bytes have been returned.
  public private(set) var decompressedBytesRead: Int64 = 0
  private let stream: UnsafeMutablePointer<z_stream>
  private let input: UnsafeMutableRawBufferPointer
  private var state = State.inflating
  private var sourceAtEnd = false

  public var name: String? { source.name }

  /// How many compressed bytes zlib has consumed: the offset errors are reported at.
  public var compressedBytesConsumed: Int64 {
    compressedBytesRead - Int64(stream.pointee.avail_in)
  }

  /// Starts inflating `source`, which must be positioned at the start of a gzip member.
  ///
  /// - Throws: ``ArchiveError`` when zlib cannot be initialized (out of memory).
  public init(_ source: Source) throws {
    self.source = source
    stream = .allocate(capacity: 1)
    stream.initialize(to: z_stream())
    input = .allocate(byteCount: streamChunkSize, alignment: 16)
    // 15 + 32: a 32 KiB window, and accept a gzip (or zlib) header.
    let status = inflateInit2_(stream, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
    guard status == Z_OK else {
      throw ArchiveError(.io, "cannot initialize zlib (error \(status))", file: source.name)
    }
  }

  deinit {
    inflateEnd(stream)
    stream.deinitialize(count: 1)
    stream.deallocate()
    input.deallocate()
  }

  public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    switch state {
    case .failed(let error): throw error
    case .finished: return 0
    case .inflating, .betweenMembers: break
    }
    guard let base = buffer.baseAddress, !buffer.isEmpty else { return 0 }
    let capacity = min(buffer.count, Int(UInt32.max))
    stream.pointee.next_out = base.assumingMemoryBound(to: Bytef.self)
    stream.pointee.avail_out = UInt32(capacity)
    defer {
      stream.pointee.next_out = nil
      stream.pointee.avail_out = 0
    }
    do {
      let produced = try inflateSome(capacity: capacity)
      decompressedBytesRead += Int64(produced)
      return produced
    } catch {
      state = .failed(error)
      throw error
    }
  }

  public func skip(_ count: Int64) throws -> Int64 {
    try discard(count) { try read(into: $0) }
  }

  /// Inflates into the output buffer already set in `stream` until some bytes come out or the
  /// stream ends.
  private func inflateSome(capacity: Int) throws -> Int {
    while true {
      if stream.pointee.avail_in == 0, !sourceAtEnd { try refill() }
      if case .betweenMembers = state {
        if stream.pointee.avail_in == 0 {
          state = .finished
          return 0
        }
        inflateReset(stream)
        state = .inflating
      }
      let status = inflate(stream, Z_NO_FLUSH)
      let produced = capacity - Int(stream.pointee.avail_out)
      switch status {
      case Z_STREAM_END:
        state = .betweenMembers
        if produced > 0 { return produced }
      case Z_OK, Z_BUF_ERROR:
        if produced > 0 { return produced }
        if stream.pointee.avail_in == 0, sourceAtEnd {
          throw ArchiveError.gzipTruncated(at: compressedBytesRead, in: name)
        }
        if status == Z_BUF_ERROR, stream.pointee.avail_in > 0 {
          throw corruption("inflate made no progress")
        }
      case Z_NEED_DICT:
        throw corruption("a preset dictionary is required")
      case Z_MEM_ERROR:
        throw ArchiveError(.io, "zlib ran out of memory", file: name)
      default:
        throw corruption(zlibMessage ?? "zlib error \(status)")
      }
    }
  }

  /// Reads the next chunk of compressed bytes into the (empty) input buffer.
  private func refill() throws {
    let count = try source.read(into: input)
    compressedBytesRead += Int64(count)
    sourceAtEnd = count == 0
    stream.pointee.next_in = input.baseAddress?.assumingMemoryBound(to: Bytef.self)
    stream.pointee.avail_in = UInt32(count)
  }

  /// zlib's description of the last error, such as "invalid block type".
  private var zlibMessage: String? {
    stream.pointee.msg.map { String(cString: $0) }
  }

  private func corruption(_ detail: String) -> ArchiveError {
    ArchiveError.gzipCorrupt(detail, at: compressedBytesConsumed, in: name)
  }
}
