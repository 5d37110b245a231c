import CLZ4

/// The decompressed bytes of an LZ4 frame stream read from another stream, through liblz4's
/// frame API: what `lz4` and `pg_basebackup -Z lz4` write.
///
/// Concatenated frames (and skippable frames) are read as one stream, as `lz4 -d` does.
/// Memory is bounded: a 64 KiB input buffer and liblz4's context (at most a 4 MiB block and
/// a 64 KiB window). A stream that ends inside a frame, and data liblz4 rejects (including
/// anything after the last frame that is not another frame), are errors naming the compressed
/// byte offset.
///
/// A class because it owns liblz4's context, which must be freed.
public final class LZ4ByteStream<Source: ByteStream>: ByteStream {
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

  /// How many compressed bytes liblz4 has consumed: the offset errors are reported at.
  public var compressedBytesConsumed: Int64 {
    compressedBytesRead - Int64(inputFilled - inputUsed)
  }

  /// Starts decompressing `source`, which must be positioned at the start of an LZ4 frame.
  ///
  /// - Throws: ``ArchiveError`` when liblz4 cannot make a context (out of memory).
  public init(_ source: Source) throws {
    self.source = source
    var context: OpaquePointer?
    let status = LZ4F_createDecompressionContext(&context, UInt32(LZ4F_VERSION))
    guard LZ4F_isError(status) == 0, let context else {
      throw ArchiveError(.io, "cannot initialize liblz4 (out of memory)", file: source.name)
    }
    self.context = context
    input = .allocate(byteCount: streamChunkSize, alignment: 16)
  }

  deinit {
    LZ4F_freeDecompressionContext(context)
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
      var produced = capacity
      var consumed = inputFilled - inputUsed
      let status = LZ4F_decompress(
        context, base, &produced, input.baseAddress.map { $0 + inputUsed }, &consumed, nil)
      inputUsed += consumed
      if LZ4F_isError(status) != 0 {
        throw ArchiveError.corruptData(
          "lz4", String(cString: LZ4F_getErrorName(status)), at: compressedBytesConsumed, in: name)
      }
      inFrame = status != 0
      if produced > 0 { return produced }
      if inputUsed == inputFilled, sourceAtEnd, inFrame {
        throw ArchiveError.truncatedData("lz4", at: compressedBytesRead, in: name)
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
