import CZlib

/// Compresses bytes into gzip format (zlib's deflate with a gzip wrapper) as they are written,
/// passing the compressed bytes on to another sink 64 KiB at a time.
///
/// A class because it owns zlib's state, which must not move in memory and must be freed.
public final class GzipWriter<Sink: ByteSink>: ByteSink {
  /// Where the compressed bytes go.
  public private(set) var sink: Sink
  private let stream: UnsafeMutablePointer<z_stream>
  private let output: UnsafeMutableRawBufferPointer

  /// Starts a gzip member written to `sink`.
  ///
  /// - Parameter level: zlib's compression level, 0 (store) to 9; 1 is fastest.
  public init(_ sink: Sink, level: Int32 = 6) throws {
    self.sink = sink
    stream = .allocate(capacity: 1)
    stream.initialize(to: z_stream())
    output = .allocate(byteCount: 64 * 1024, alignment: 16)
    // 15 + 16: a 32 KiB window and a gzip (not zlib) wrapper.
    let status = deflateInit2_(
      stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, zlibVersion(),
      Int32(MemoryLayout<z_stream>.size))
    guard status == Z_OK else { throw FixtureError("deflateInit2 failed (\(status))") }
  }

  deinit {
    deflateEnd(stream)
    stream.deinitialize(count: 1)
    stream.deallocate()
    output.deallocate()
  }

  public func write(_ bytes: UnsafeRawBufferPointer) throws {
    guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
    stream.pointee.next_in = UnsafeMutablePointer(
      mutating: base.assumingMemoryBound(to: Bytef.self))
    stream.pointee.avail_in = UInt32(bytes.count)
    while stream.pointee.avail_in > 0 {
      try deflateChunk(Z_NO_FLUSH)
    }
  }

  /// Ends the gzip member (its trailer holds the CRC and length) and returns the sink.
  public func finish() throws -> Sink {
    stream.pointee.avail_in = 0
    while try deflateChunk(Z_FINISH) != Z_STREAM_END {}
    return sink
  }

  /// Runs deflate once into the output buffer and passes what it produced to the sink.
  @discardableResult
  private func deflateChunk(_ flush: Int32) throws -> Int32 {
    stream.pointee.next_out = output.baseAddress?.assumingMemoryBound(to: Bytef.self)
    stream.pointee.avail_out = UInt32(output.count)
    let status = deflate(stream, flush)
    guard status == Z_OK || status == Z_STREAM_END || (status == Z_BUF_ERROR && flush == Z_NO_FLUSH)
    else {
      throw FixtureError("deflate failed (\(status))")
    }
    let produced = output.count - Int(stream.pointee.avail_out)
    try sink.write(UnsafeRawBufferPointer(rebasing: output[..<produced]))
    return status
  }
}

/// `bytes` compressed as one gzip member.
public func gzip(_ bytes: [UInt8], level: Int32 = 6) throws -> [UInt8] {
  var writer = try GzipWriter([UInt8](), level: level)
  try writer.write(bytes)
  return try writer.finish()
}
