import CLZ4

/// The decompressed bytes of an LZ4 frame stream read from another stream, through liblz4's
/// frame API: what `lz4` and `pg_basebackup -Z lz4` write.
///
/// Concatenated frames (and skippable frames) are read as one stream, as `lz4 -d` does.
/// Memory is bounded: a 64 KiB input buffer and liblz4's context (at most a 4 MiB block and
/// a 64 KiB window). A stream that ends inside a frame, and data liblz4 rejects (including
/// anything after the last frame that is not another frame), are errors naming the compressed
/// byte offset.
public typealias LZ4ByteStream<Source: ByteStream> = FrameByteStream<Source, LZ4FrameDecoder>

/// liblz4's `LZ4F_decompress` over its decompression context.
public final class LZ4FrameDecoder: FrameDecoder {
  public static let compressionName = "lz4"
  private let context: OpaquePointer

  public init(file: String?) throws {
    var context: OpaquePointer?
    let status = LZ4F_createDecompressionContext(&context, UInt32(LZ4F_VERSION))
    guard LZ4F_isError(status) == 0, let context else {
      throw ArchiveError(.io, "cannot initialize liblz4 (out of memory)", file: file)
    }
    self.context = context
  }

  deinit {
    LZ4F_freeDecompressionContext(context)
  }

  public func decompress(
    _ input: UnsafeRawPointer?, count: Int, into output: UnsafeMutableRawPointer, capacity: Int
  ) -> FrameDecoderStep {
    var produced = capacity
    var consumed = count
    let status = LZ4F_decompress(context, output, &produced, input, &consumed, nil)
    guard LZ4F_isError(status) == 0 else {
      return FrameDecoderStep(
        consumed: consumed, produced: 0, inFrame: true, error: String(cString: LZ4F_getErrorName(status)))
    }
    return FrameDecoderStep(consumed: consumed, produced: produced, inFrame: status != 0)
  }
}
