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

  /// A PostgreSQL 19 pg_control (control version 1902) with the same values as the default
  /// 15 one, at 19's offsets: its 96-byte CheckPoint moves everything after it by 8, and
  /// `slru_pages_per_segment` the fields after `relseg_size` by 4 more (CRC at 304).
  public static func postgres19(catalogVersion: UInt32 = 202_605_131) -> ControlFileFixture {
    var fixture = ControlFileFixture()
    fixture.bytes = [UInt8](repeating: 0, count: 8192)
    fixture.set(UInt64(7_711_019_213_718_305_796), at: 0)
    fixture.set(UInt32(1902), at: 8)
    fixture.set(catalogVersion, at: 12)
    fixture.set(UInt32(6), at: 16)
    fixture.set(UInt64(1_795_361_576), at: 24)
    fixture.set(UInt64(0x200_0060), at: 32)
    fixture.set(UInt64(0x200_0028), at: 40)  // CheckPoint: redo
    fixture.set(UInt32(2), at: 48)
    fixture.set(UInt32(1), at: 52)
    fixture.bytes[56] = 1
    fixture.set(UInt32(2), at: 60)  // CheckPoint.wal_level
    fixture.set(UInt64(1) << 32 | 735, at: 72)  // CheckPoint.nextXid at 32
    fixture.set(UInt32(16_390), at: 80)
    fixture.set(UInt64(1_795_361_570), at: 112)  // CheckPoint.time at 72
    fixture.set(UInt32(1), at: 132)  // CheckPoint.dataChecksumState at 92
    fixture.set(UInt64(0x300_0000), at: 144)  // minRecoveryPoint
    fixture.set(UInt32(2), at: 152)
    fixture.set(UInt64(0x200_0028), at: 160)
    fixture.set(UInt64(0x200_0100), at: 168)
    fixture.bytes[176] = 1
    fixture.set(UInt32(2), at: 180)  // wal_level: logical
    fixture.bytes[184] = 1
    for (index, value) in [120, 9, 11, 5, 70].enumerated() {
      fixture.set(UInt32(value), at: 188 + 4 * index)
    }
    fixture.bytes[208] = 1
    fixture.set(UInt32(8), at: 212)
    fixture.set(1_234_567.0.bitPattern, at: 216)
    fixture.set(UInt32(8192), at: 224)
    fixture.set(UInt32(131_072), at: 228)
    fixture.set(UInt32(32), at: 232)  // slru_pages_per_segment
    fixture.set(UInt32(8192), at: 236)
    fixture.set(UInt32(64 << 20), at: 240)
    fixture.set(UInt32(1), at: 264)  // data_checksum_version
    fixture.crcOffset = 304
    return fixture
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
