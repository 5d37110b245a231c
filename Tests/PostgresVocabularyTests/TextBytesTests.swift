import PostgresVocabulary
import Testing
import _PITRTestSupport

/// The byte forms of LSNs and segment names that `pitr wal find` writes a million rows with:
/// each must be its `description`, byte for byte.
@Suite struct TextBytesTests {
  static func bytes(_ append: (inout [UInt8]) -> Void) -> String {
    var buffer: [UInt8] = []
    append(&buffer)
    return String(decoding: buffer, as: UTF8.self)
  }

  @Test func lsnsAsPostgreSQLPrintsThem() {
    var random = SeededRandom(seed: 4)
    let values: [UInt64] =
      [0, 1, 0xF, 0x10, 0x300_7528, 0xFFFF_FFFF, 0x1_0000_0000, 0x16_B374_D848, .max]
      + (0..<2_000).map { _ in random.next() >> (random.next() % 64) }
    for value in values {
      let lsn = LSN(rawValue: value)
      #expect(Self.bytes { lsn.appendDescription(to: &$0) } == lsn.description)
    }
  }

  @Test func segmentNames() {
    var random = SeededRandom(seed: 5)
    for _ in 0..<1_000 {
      let name = WALSegmentName(
        timeline: TimelineID(UInt32(truncatingIfNeeded: random.next() >> 40)),
        log: UInt32(truncatingIfNeeded: random.next()), seg: UInt32(truncatingIfNeeded: random.next() >> 56))
      #expect(Self.bytes { name.appendDescription(to: &$0) } == name.description)
    }
    let name = WALSegmentName("0000000A00000001000000FF")!
    #expect(Self.bytes { name.appendDescription(to: &$0) } == "0000000A00000001000000FF")
  }
}
