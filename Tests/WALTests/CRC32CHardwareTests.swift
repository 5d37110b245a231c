import CCRC32C
import Testing

@testable import WAL

/// The CPU-instruction path of `CRC32C` against the Swift slicing-by-8 path it replaces.
@Suite struct CRC32CHardwareTests {
  /// The checksum of `buffer` through one path.
  static func checksum(_ buffer: UnsafeRawBufferPointer, hardware: Bool) -> UInt32 {
    var crc = CRC32C()
    if hardware {
      crc.hardwareUpdate(buffer)
    } else {
      crc.softwareUpdate(buffer)
    }
    return crc.value
  }

  static func randomBytes(_ count: Int, seed: UInt64) -> [UInt8] {
    var generator = SplitMix64(seed: seed)
    return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
  }

  @Test func usesTheInstructionWhereTheCPUHasIt() {
    #expect(CRC32C.usesHardware == (pitr_crc32c_hardware_available() == 1))
    #if arch(x86_64) && os(Linux)
      // SSE4.2 is part of x86-64-v2; every machine we build and benchmark on has it.
      #expect(pitr_crc32c_hardware_available() == 1, "expected the SSE4.2 path on x86_64")
    #endif
  }

  @Test(.enabled(if: CRC32C.usesHardware)) func checkValueOnBothPaths() {
    Array("123456789".utf8).withUnsafeBytes { bytes in
      #expect(Self.checksum(bytes, hardware: true) == 0xE306_9283)
      #expect(Self.checksum(bytes, hardware: false) == 0xE306_9283)
    }
    #expect(Self.checksum(UnsafeRawBufferPointer(start: nil, count: 0), hardware: true) == 0)
  }

  @Test(.enabled(if: CRC32C.usesHardware)) func pathsAgreeOnEveryLengthUpTo4096() {
    // One random buffer; every length from 0 to 4096, starting at every offset mod 8 in turn.
    let bytes = Self.randomBytes(4096 + 8, seed: 7)
    var disagreeing: [Int] = []
    bytes.withUnsafeBytes { all in
      for length in 0...4096 {
        let start = length % 8
        let slice = UnsafeRawBufferPointer(rebasing: all[start..<start + length])
        if Self.checksum(slice, hardware: true) != Self.checksum(slice, hardware: false) {
          disagreeing.append(length)
        }
      }
    }
    #expect(disagreeing.count == 0, "lengths where the paths disagree: \(disagreeing.prefix(20))")
  }

  @Test(.enabled(if: CRC32C.usesHardware)) func pathsAgreeOnUnalignedStarts() {
    let bytes = Self.randomBytes(9000, seed: 11)
    var disagreeing: [String] = []
    bytes.withUnsafeBytes { all in
      for start in 0..<16 {
        for length in Array(0..<80) + [255, 256, 1000, 4095, 8192] {
          let slice = UnsafeRawBufferPointer(rebasing: all[start..<start + length])
          if Self.checksum(slice, hardware: true) != Self.checksum(slice, hardware: false) {
            disagreeing.append("\(start)+\(length)")
          }
        }
      }
    }
    #expect(
      disagreeing.count == 0, "start+length where the paths disagree: \(disagreeing.prefix(20))")
  }

  @Test(.enabled(if: CRC32C.usesHardware)) func randomSplitsAnyMixOfPathsAgree() {
    // The register means the same on both paths, so pieces may go through either one.
    var generator = SplitMix64(seed: 1234)
    for round in 0..<200 {
      let count = Int.random(in: 0...5000, using: &generator)
      let bytes = Self.randomBytes(count, seed: UInt64(round))
      var cuts = (0..<Int.random(in: 0...8, using: &generator)).map { _ in
        Int.random(in: 0...count, using: &generator)
      }
      cuts.sort()
      let viaSoftware = bytes.withUnsafeBytes { Self.checksum($0, hardware: false) }
      var hardwareOnly = CRC32C()
      var mixed = CRC32C()
      var start = 0
      bytes.withUnsafeBytes { all in
        for cut in cuts + [count] {
          let piece = UnsafeRawBufferPointer(rebasing: all[start..<cut])
          hardwareOnly.hardwareUpdate(piece)
          if Bool.random(using: &generator) {
            mixed.hardwareUpdate(piece)
          } else {
            mixed.softwareUpdate(piece)
          }
          start = cut
        }
      }
      #expect(hardwareOnly.value == viaSoftware, "round \(round), cuts \(cuts)")
      #expect(mixed.value == viaSoftware, "round \(round), cuts \(cuts)")
    }
  }
}
