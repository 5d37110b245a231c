import Testing
import WAL

@Suite struct CRC32CTests {
  /// The COMMIT record of FORMATS.md Appendix A: 24 header bytes, then 10 bytes of payload.
  static let commitRecord: [UInt8] = [
    0x22, 0x00, 0x00, 0x00, 0xD5, 0x02, 0x00, 0x00, 0x28, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x01, 0x00, 0x00, 0xF0, 0x44, 0x41, 0x21,
    0xFF, 0x08, 0x68, 0xA1, 0xE2, 0xF6, 0xDD, 0x03, 0x03, 0x00,
  ]

  /// The textbook bit-at-a-time CRC-32C, to check the table-driven one against.
  static func bitwise(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
      crc ^= UInt32(byte)
      for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
    }
    return crc ^ 0xFFFF_FFFF
  }

  static func randomBytes(_ count: Int, using generator: inout some RandomNumberGenerator)
    -> [UInt8]
  {
    (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
  }

  @Test func checkValue() {
    #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
  }

  @Test func emptyInputIsZero() {
    #expect(CRC32C().value == 0)
    #expect(CRC32C.checksum([UInt8]()) == 0)
  }

  @Test func walRecordRuleOnTheAppendixACommit() {
    let record = Self.commitRecord
    var crc = CRC32C()
    crc.update(record[24...])
    crc.update(record[..<20])
    let stored = record[20..<24].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    #expect(stored == 0x2141_44F0)
    #expect(crc.value == stored)
  }

  @Test func rawBufferAndSequenceOverloadsAgree() {
    let bytes = Array("The quick brown fox jumps over the lazy dog".utf8)
    let viaBuffer = bytes.withUnsafeBytes { CRC32C.checksum($0) }
    let viaSequence = CRC32C.checksum(bytes.lazy.map { $0 })
    #expect(viaBuffer == viaSequence)
    #expect(viaBuffer == Self.bitwise(bytes))
  }

  @Test(arguments: [0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 1000, 4099])
  func matchesTheBitwiseReference(length: Int) {
    var generator = SplitMix64(seed: UInt64(length))
    let bytes = Self.randomBytes(length, using: &generator)
    #expect(CRC32C.checksum(bytes) == Self.bitwise(bytes))
  }

  @Test func incrementalEqualsOneShotOnRandomSplits() {
    var generator = SplitMix64(seed: 42)
    for _ in 0..<50 {
      let bytes = Self.randomBytes(Int.random(in: 0...3000, using: &generator), using: &generator)
      var cuts = (0..<Int.random(in: 0...6, using: &generator)).map { _ in
        Int.random(in: 0...bytes.count, using: &generator)
      }
      cuts.sort()
      var crc = CRC32C()
      var start = 0
      for cut in cuts + [bytes.count] {
        crc.update(bytes[start..<cut])
        start = cut
      }
      #expect(crc.value == CRC32C.checksum(bytes))
    }
  }
}
