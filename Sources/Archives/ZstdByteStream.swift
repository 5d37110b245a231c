import CZstd

/// The decompressed bytes of a Zstandard stream read from another stream, through libzstd.
///
/// Concatenated frames (and skippable frames) are read as one stream, as `zstd -d` does.
/// Memory is bounded: a 64 KiB input buffer and libzstd's decompression context, whose window
/// libzstd caps at 128 MiB by default (`zstd` writes 8 MiB windows up to level 19). A stream
/// that ends inside a frame, and data libzstd rejects (including anything after the last frame
/// that is not another frame), are errors naming the compressed byte offset.
public typealias ZstdByteStream<Source: ByteStream> = FrameByteStream<Source, ZstdFrameDecoder>

/// libzstd's `ZSTD_decompressStream` over its decompression context.
public final class ZstdFrameDecoder: FrameDecoder {
  public static let compressionName = "zstd"
  private let context: OpaquePointer

  public init(file: String?) throws {
    guard let context = ZSTD_createDCtx() else {
      throw ArchiveError(.io, "cannot initialize libzstd (out of memory)", file: file)
    }
    self.context = context
  }

  deinit {
    ZSTD_freeDCtx(context)
  }

  public func decompress(
    _ input: UnsafeRawPointer?, count: Int, into output: UnsafeMutableRawPointer, capacity: Int
  ) -> FrameDecoderStep {
    var outputBuffer = ZSTD_outBuffer(dst: output, size: capacity, pos: 0)
    var inputBuffer = ZSTD_inBuffer(src: input, size: count, pos: 0)
    let status = ZSTD_decompressStream(context, &outputBuffer, &inputBuffer)
    guard ZSTD_isError(status) == 0 else {
      return FrameDecoderStep(
        consumed: inputBuffer.pos, produced: 0, inFrame: true,
        error: String(cString: ZSTD_getErrorName(status)))
    }
    return FrameDecoderStep(consumed: inputBuffer.pos, produced: outputBuffer.pos, inFrame: status != 0)
  }
}
