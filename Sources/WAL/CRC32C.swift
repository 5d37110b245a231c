import CCRC32C

/// CRC-32C (Castagnoli), the checksum of WAL records, `pg_control` and backup manifests.
///
/// Reflected polynomial 0x82F63B78, initial value and final XOR 0xFFFFFFFF: the standard
/// "crc32c", so `CRC32C.checksum("123456789".utf8) == 0xE3069283`. Feed bytes in as many
/// pieces as is convenient; the result is the same as one call over their concatenation:
///
///     var crc = CRC32C()
///     crc.update(record[24...])   // a WAL record: the payload first,
///     crc.update(record[..<20])   // then the header up to its own CRC field
///     crc.value
///
/// Where the CPU has a CRC-32C instruction (SSE4.2 on x86_64, the CRC extension on Linux
/// aarch64) the bytes go through it, by way of the C target `CCRC32C`; elsewhere through the
/// Swift slicing-by-8 code below, which is also the reference the tests hold the hardware
/// path to. `bench/crc32c.sh` measures the two side by side.
public struct CRC32C: Hashable, Sendable {
  /// The running register, before the final XOR.
  private var register: UInt32 = 0xFFFF_FFFF

  /// An empty checksum (the CRC of no bytes is 0).
  public init() {}

  /// The checksum of every byte fed in so far.
  public var value: UInt32 { register ^ 0xFFFF_FFFF }

  /// Adds the bytes of a raw buffer.
  public mutating func update(_ buffer: UnsafeRawBufferPointer) {
    if CRC32C.usesHardware {
      hardwareUpdate(buffer)
    } else {
      softwareUpdate(buffer)
    }
  }

  /// Adds bytes from any sequence; contiguous ones (arrays, slices, `Data`) are not copied.
  public mutating func update(_ bytes: some Sequence<UInt8>) {
    let done: Void? = bytes.withContiguousStorageIfAvailable {
      update(UnsafeRawBufferPointer($0))
    }
    if done == nil {
      Array(bytes).withUnsafeBytes { update($0) }
    }
  }

  /// The checksum of one run of bytes.
  public static func checksum(_ bytes: some Sequence<UInt8>) -> UInt32 {
    var crc = CRC32C()
    crc.update(bytes)
    return crc.value
  }

  /// The checksum of one raw buffer.
  public static func checksum(_ buffer: UnsafeRawBufferPointer) -> UInt32 {
    var crc = CRC32C()
    crc.update(buffer)
    return crc.value
  }

  // MARK: - The two paths

  /// Whether `update` uses the CPU's CRC-32C instruction: asked once per process.
  static let usesHardware: Bool = pitr_crc32c_hardware_available() != 0

  /// Adds bytes with the CPU's instruction. Only valid when `usesHardware` is true.
  mutating func hardwareUpdate(_ buffer: UnsafeRawBufferPointer) {
    register = pitr_crc32c_update(register, buffer.baseAddress, buffer.count)
  }

  /// Adds bytes with the portable slicing-by-8 code: the fallback where the CPU has no
  /// CRC-32C instruction, and the reference the hardware path is tested against.
  mutating func softwareUpdate(_ buffer: UnsafeRawBufferPointer) {
    register = CRC32C.tables.withUnsafeBufferPointer { tables in
      CRC32C.advance(register, over: buffer, tables: tables)
    }
  }

  // MARK: - Slicing by 8

  /// Eight 256-entry tables, one after the other: table 0 is the classic byte-at-a-time
  /// table, and table k gives the effect of a byte followed by k zero bytes.
  private static let tables: [UInt32] = {
    var tables = [UInt32](repeating: 0, count: 8 * 256)
    for byte in 0..<256 {
      var crc = UInt32(byte)
      for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
      tables[byte] = crc
    }
    for table in 1..<8 {
      for byte in 0..<256 {
        let previous = tables[(table - 1) * 256 + byte]
        tables[table * 256 + byte] = (previous >> 8) ^ tables[Int(previous & 0xFF)]
      }
    }
    return tables
  }()

  private static func advance(
    _ start: UInt32, over buffer: UnsafeRawBufferPointer, tables: UnsafeBufferPointer<UInt32>
  ) -> UInt32 {
    var crc = start
    var offset = 0
    let count = buffer.count
    while count - offset >= 8 {
      let word =
        UInt64(littleEndian: buffer.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
        ^ UInt64(crc)
      crc =
        tables[7 * 256 + Int(word & 0xFF)] ^ tables[6 * 256 + Int(word >> 8 & 0xFF)]
        ^ tables[5 * 256 + Int(word >> 16 & 0xFF)] ^ tables[4 * 256 + Int(word >> 24 & 0xFF)]
        ^ tables[3 * 256 + Int(word >> 32 & 0xFF)] ^ tables[2 * 256 + Int(word >> 40 & 0xFF)]
        ^ tables[1 * 256 + Int(word >> 48 & 0xFF)] ^ tables[Int(word >> 56)]
      offset += 8
    }
    while offset < count {
      crc = (crc >> 8) ^ tables[Int((crc ^ UInt32(buffer[offset])) & 0xFF)]
      offset += 1
    }
    return crc
  }
}
