/// Unaligned little-endian loads from a byte array, for fixed binary layouts.
///
/// Callers check the length first: an offset past the end traps.
struct LittleEndianBytes {
  let bytes: [UInt8]

  init(_ bytes: [UInt8]) { self.bytes = bytes }

  func uint64(at offset: Int) -> UInt64 {
    (0..<8).reduce(0) { value, index in value | UInt64(bytes[offset + index]) << (8 * index) }
  }

  func uint32(at offset: Int) -> UInt32 {
    (0..<4).reduce(0) { value, index in value | UInt32(bytes[offset + index]) << (8 * index) }
  }

  func int32(at offset: Int) -> Int32 { Int32(bitPattern: uint32(at: offset)) }

  func int64(at offset: Int) -> Int64 { Int64(bitPattern: uint64(at: offset)) }

  /// A C `bool`: any non-zero byte is true.
  func bool(at offset: Int) -> Bool { bytes[offset] != 0 }

  func float64(at offset: Int) -> Double { Double(bitPattern: uint64(at: offset)) }
}
