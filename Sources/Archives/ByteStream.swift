/// A source of bytes read front to back: a file, a decompressor, or bytes in memory.
///
/// Readers pull bytes in chunks into buffers they own, so memory stays bounded whatever the
/// size of the source. Conforming types report problems as ``ArchiveError``.
public protocol ByteStream {
  /// A name for error messages, usually the file's path; nil when there is none.
  var name: String? { get }

  /// Reads up to `buffer.count` bytes into the start of `buffer`.
  ///
  /// - Parameter buffer: Where to put the bytes.
  /// - Returns: How many bytes were read: 0 only at the end of the stream or for an empty buffer.
  /// - Throws: ``ArchiveError`` when the bytes cannot be read or are not valid.
  mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int

  /// Discards up to `count` bytes without keeping them.
  ///
  /// The default implementation reads into a 64 KiB scratch buffer; files seek instead.
  ///
  /// - Parameter count: How many bytes to discard.
  /// - Returns: How many were discarded: fewer than `count` only at the end of the stream.
  /// - Throws: ``ArchiveError`` as ``read(into:)`` does.
  mutating func skip(_ count: Int64) throws -> Int64
}

/// The size of the scratch and input buffers streams use: 64 KiB.
let streamChunkSize = 64 * 1024

/// Fills `buffer` by passing what is still empty of it to `read` until it is full or `read`
/// returns 0.
///
/// - Returns: How many bytes were read: less than `buffer.count` only when `read` returned 0.
func fill(
  _ buffer: UnsafeMutableRawBufferPointer,
  reading read: (UnsafeMutableRawBufferPointer) throws -> Int
) rethrows -> Int {
  var filled = 0
  while filled < buffer.count {
    let got = try read(UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
    if got == 0 { break }
    filled += got
  }
  return filled
}

/// Discards up to `count` bytes by passing a 64 KiB scratch buffer to `read` until it returns 0.
///
/// - Returns: How many were discarded: fewer than `count` only when `read` returned 0.
func discard(
  _ count: Int64, reading read: (UnsafeMutableRawBufferPointer) throws -> Int
) rethrows -> Int64 {
  guard count > 0 else { return 0 }
  let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: streamChunkSize, alignment: 16)
  defer { scratch.deallocate() }
  var skipped: Int64 = 0
  while skipped < count {
    let wanted = Int(min(Int64(scratch.count), count - skipped))
    let got = try read(UnsafeMutableRawBufferPointer(rebasing: scratch[..<wanted]))
    if got == 0 { break }
    skipped += Int64(got)
  }
  return skipped
}

extension ByteStream {
  public var name: String? { nil }

  public mutating func skip(_ count: Int64) throws -> Int64 {
    try skipByReading(count)
  }

  /// Discards up to `count` bytes by reading them, 64 KiB at a time, into a scratch buffer.
  ///
  /// - Returns: How many were discarded: fewer than `count` only at the end of the stream.
  public mutating func skipByReading(_ count: Int64) throws -> Int64 {
    try discard(count) { try read(into: $0) }
  }

  /// Reads until `buffer` is full or the stream ends.
  ///
  /// - Returns: How many bytes were read: less than `buffer.count` only at the end of the stream.
  public mutating func readFully(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    try fill(buffer) { try read(into: $0) }
  }
}
