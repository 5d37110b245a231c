import CZstd

/// The decompressed bytes of a Zstandard stream read from another stream, through libzstd.
///
/// Concatenated frames (and skippable frames) are read as one stream, as `zstd -d` does.
/// Memory is bounded: a 64 KiB input buffer and libzstd's decompression context, whose window
/// libzstd caps at 128 MiB by default (`zstd` writes 8 MiB windows up to level 19). A stream
/// that ends inside a frame, and data libzstd rejects (including anything after the last frame
/// that is not another frame), are errors naming the compressed byte offset.
///
/// A class because it owns libzstd's context, which must be freed.
public final class ZstdByteStream<Source: ByteStream>: ByteStream {
  /// The compressed stream.
  public private(set) var source: Source
  /// How many compressed bytes have been read from ``source`` (some may still wait in the
  /// input buffer).
  public private(set) var compressedBytesRead: Int64 = 0
  /// How many decompressed bytes have been returned.
  public private(set) var decompressedBytesRead: Int64 = 0
  private let context: OpaquePointer
  private let input: UnsafeMutableRawBufferPointer
  private var inputFilled = 0
  private var inputUsed = 0
  private var sourceAtEnd = false
  /// Whether a frame has started and not ended (or its output not yet all returned).
  private var inFrame = true
  private var failure: (any Error)?

  public var name: String? { source.name }

  /// How many compressed bytes libzstd has consumed: the offset errors are reported at.
  public var compressedBytesConsumed: Int64 {
    compressedBytesRead - Int64(inputFilled - inputUsed)
  }

  /// Starts decompressing `source`, which must be positioned at the start of a zstd frame.
  ///
  /// - Throws: ``ArchiveError`` when libzstd cannot make a context (out of memory).
  public init(_ source: Source) throws {
    self.source = source
    guard let context = ZSTD_createDCtx() else {
      throw ArchiveError(.io, "cannot initialize libzstd (out of memory)", file: source.name)
    }
    self.context = context
    input = .allocate(byteCount: streamChunkSize, alignment: 16)
  }

  deinit {
    ZSTD_freeDCtx(context)
    input.deallocate()
  }

  public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    if let failure { throw failure }
    guard let base = buffer.baseAddress, !buffer.isEmpty else { return 0 }
    do {
      let produced = try decompressSome(into: base, capacity: buffer.count)
      decompressedBytesRead += Int64(produced)
      return produced
    } catch {
      failure = error
      throw error
    }
  }

  public func skip(_ count: Int64) throws -> Int64 {
    try discard(count) { try read(into: $0) }
  }

  /// Decompresses into `base` until some bytes come out or the stream ends.
  private func decompressSome(into base: UnsafeMutableRawPointer, capacity: Int) throws -> Int {
    while true {
      if inputUsed == inputFilled, !sourceAtEnd { try refill() }
      if inputUsed == inputFilled, sourceAtEnd, !inFrame { return 0 }
      var output = ZSTD_outBuffer(dst: base, size: capacity, pos: 0)
      var inputBuffer = ZSTD_inBuffer(
        src: input.baseAddress, size: inputFilled, pos: inputUsed)
      let status = ZSTD_decompressStream(context, &output, &inputBuffer)
      inputUsed = inputBuffer.pos
      if ZSTD_isError(status) != 0 {
        throw ArchiveError.corruptData(
          "zstd", String(cString: ZSTD_getErrorName(status)), at: compressedBytesConsumed, in: name)
      }
      inFrame = status != 0
      if output.pos > 0 { return output.pos }
      if inputUsed == inputFilled, sourceAtEnd, inFrame {
        throw ArchiveError.truncatedData("zstd", at: compressedBytesRead, in: name)
      }
    }
  }

  /// Reads the next chunk of compressed bytes into the (empty) input buffer.
  private func refill() throws {
    let count = try source.read(into: input)
    compressedBytesRead += Int64(count)
    sourceAtEnd = count == 0
    inputFilled = count
    inputUsed = 0
  }
}
