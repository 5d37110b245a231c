/// Bytes held in memory, read as a stream: for small inputs and tests.
public struct MemoryByteStream: ByteStream, Sendable {
  /// All the bytes.
  public let bytes: [UInt8]
  /// How many bytes have been read or skipped.
  public private(set) var offset: Int = 0
  public let name: String?

  /// Streams `bytes`, naming them `name` in error messages.
  public init(_ bytes: [UInt8], name: String? = nil) {
    self.bytes = bytes
    self.name = name
  }

  public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    let count = min(buffer.count, bytes.count - offset)
    guard count > 0 else { return 0 }
    bytes.withUnsafeBytes { all in
      buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: all[offset..<offset + count]))
    }
    offset += count
    return count
  }

  public mutating func skip(_ count: Int64) throws -> Int64 {
    let skipped = Int(max(0, min(count, Int64(bytes.count - offset))))
    offset += skipped
    return Int64(skipped)
  }
}
