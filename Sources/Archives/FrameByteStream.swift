/// The decompressed bytes of a stream of compressed frames read from another stream, through
/// a library's streaming call (``FrameDecoder``): what ``ZstdByteStream`` and
/// ``LZ4ByteStream`` are.
///
/// Concatenated frames (and skippable frames) are read as one stream, as `zstd -d` and
/// `lz4 -d` do. Memory is bounded: a 64 KiB input buffer and the decoder's context. A stream
/// that ends inside a frame, and data the library rejects (including anything after the last
/// frame that is not another frame), are errors naming the compressed byte offset; after one,
/// every read throws it again.
///
/// A class because its decoder owns the library's context and it shares its input buffer.
public final class FrameByteStream<Source: ByteStream, Decoder: FrameDecoder>: ByteStream {
  /// The compressed stream.
  public private(set) var source: Source
  /// How many compressed bytes have been read from ``source`` (some may still wait in the
  /// input buffer).
  public private(set) var compressedBytesRead: Int64 = 0
  /// How many decompressed bytes have been returned.
  public private(set) var decompressedBytesRead: Int64 = 0
  private let decoder: Decoder
  private let input: UnsafeMutableRawBufferPointer
  private var inputFilled = 0
  private var inputUsed = 0
  private var sourceAtEnd = false
  /// Whether a frame has started and not ended (or its output not yet all returned).
  private var inFrame = true
  private var failure: (any Error)?

  public var name: String? { source.name }

  /// How many compressed bytes the library has consumed: the offset errors are reported at.
  public var compressedBytesConsumed: Int64 {
    compressedBytesRead - Int64(inputFilled - inputUsed)
  }

  /// Starts decompressing `source`, which must be positioned at the start of a frame.
  ///
  /// - Throws: ``ArchiveError`` when the library cannot make a context (out of memory).
  public init(_ source: Source) throws {
    self.source = source
    decoder = try Decoder(file: source.name)
    input = .allocate(byteCount: streamChunkSize, alignment: 16)
  }

  deinit {
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
      let step = decoder.decompress(
        input.baseAddress.map { UnsafeRawPointer($0 + inputUsed) }, count: inputFilled - inputUsed,
        into: base, capacity: capacity)
      inputUsed += step.consumed
      if let problem = step.error {
        throw ArchiveError.corruptData(
          Decoder.compressionName, problem, at: compressedBytesConsumed, in: name)
      }
      inFrame = step.inFrame
      if step.produced > 0 { return step.produced }
      if inputUsed == inputFilled, sourceAtEnd, inFrame {
        throw ArchiveError.truncatedData(Decoder.compressionName, at: compressedBytesRead, in: name)
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

/// A library's streaming decompression call over its own context, as ``FrameByteStream``
/// drives it: libzstd's (``ZstdFrameDecoder``) or liblz4's frame API (``LZ4FrameDecoder``).
///
/// A class because it owns the library's context, which it frees when it goes.
public protocol FrameDecoder: AnyObject {
  /// The compression's name in error messages: `zstd`, `lz4`.
  static var compressionName: String { get }

  /// Makes the library's context.
  ///
  /// - Parameter file: The compressed stream's name, for the error.
  /// - Throws: ``ArchiveError`` when the library cannot (out of memory).
  init(file: String?) throws

  /// Decompresses what it can of the `count` bytes at `input` into the `capacity` bytes at
  /// `output`.
  func decompress(
    _ input: UnsafeRawPointer?, count: Int, into output: UnsafeMutableRawPointer, capacity: Int
  ) -> FrameDecoderStep
}

/// What one call of a ``FrameDecoder`` did.
public struct FrameDecoderStep: Sendable {
  /// How many input bytes the library took.
  public var consumed: Int
  /// How many bytes it wrote to the output.
  public var produced: Int
  /// Whether a frame has started and not ended, or its output is not yet all written.
  public var inFrame: Bool
  /// The library's name for the error, when the data was rejected.
  public var error: String?

  public init(consumed: Int, produced: Int, inFrame: Bool, error: String? = nil) {
    self.consumed = consumed
    self.produced = produced
    self.inFrame = inFrame
    self.error = error
  }
}
