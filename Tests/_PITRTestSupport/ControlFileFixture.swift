import WAL

/// pg_control bytes for tests: a PostgreSQL 15 layout with plausible values, any field of
/// which a test can change before `sealed()` stores a correct CRC.
public struct ControlFileFixture {
  public var bytes = [UInt8](repeating: 0, count: 8192)
  public var crcOffset = 288

  public init(controlVersion: UInt32 = 1300, catalogVersion: UInt32 = 202_209_061) {
    set(UInt64(7_711_019_213_718_305_796), at: 0)
    set(controlVersion, at: 8)
    set(catalogVersion, at: 12)
    set(UInt32(6), at: 16)  // in production
    set(UInt64(1_795_361_576), at: 24)
    set(UInt64(0x200_0060), at: 32)  // checkpoint 0/2000060
    set(UInt64(0x200_0028), at: 40)  // redo 0/2000028
    set(UInt32(2), at: 48)  // timeline
    set(UInt32(1), at: 52)  // previous timeline
    bytes[56] = 1  // full_page_writes
    set(UInt64(1) << 32 | 735, at: 64)  // next xid 1:735
    set(UInt32(16_390), at: 72)  // next OID
    set(UInt64(1_795_361_570), at: 104)  // checkpoint time
    set(UInt64(0x300_0000), at: 136)  // minRecoveryPoint
    set(UInt32(2), at: 144)
    set(UInt64(0x200_0028), at: 152)
    set(UInt64(0x200_0100), at: 160)
    bytes[168] = 1
    set(UInt32(2), at: 172)  // logical
    bytes[176] = 1
    for (index, value) in [120, 9, 11, 5, 70].enumerated() {
      set(UInt32(value), at: 180 + 4 * index)
    }
    bytes[200] = 1
    set(UInt32(8), at: 204)
    set(1_234_567.0.bitPattern, at: 208)
    set(UInt32(8192), at: 216)
    set(UInt32(131_072), at: 220)
    set(UInt32(8192), at: 224)
    set(UInt32(64 << 20), at: 228)
    set(UInt32(1), at: 252)
    crcOffset = controlVersion >= 1800 ? 292 : 288
  }

  public mutating func set<Value: FixedWidthInteger>(_ value: Value, at offset: Int) {
    withUnsafeBytes(of: value.littleEndian) { raw in
      bytes.replaceSubrange(offset..<offset + raw.count, with: raw)
    }
  }

  /// The bytes with the CRC-32C of everything before `crcOffset` stored there.
  public func sealed() -> [UInt8] {
    var copy = self
    copy.set(CRC32C.checksum(bytes[..<crcOffset]), at: crcOffset)
    return copy.bytes
  }
}
