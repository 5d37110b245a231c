import Testing

@testable import Execution

extension ExtractionTests {
  @Suite struct SHA224HasherTests {
    @Test(arguments: [
      ([UInt8](), "d14a028c2a3a2bc9476102bb288234c415a2b01f828ea62ac5b3e42f"),
      (Array("abc".utf8), "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7"),
    ])
    func knownDigests(_ input: [UInt8], _ digest: String) {
      #expect(BackupFixture.hex(hash(input, pieces: 1)) == digest)
    }

    @Test func aMillionAs() {
      let input = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
      let digest = "20794655980c91d8bbb4c1ea97618a4bf03f42581948b2ee4ee7ad67"
      #expect(BackupFixture.hex(hash(input, pieces: 4)) == digest)
    }

    @Test func piecesOfAnySizeGiveTheSameDigest() {
      let input = (0..<3).flatMap { _ in (0...255).map(UInt8.init) }
      let digest = "591b51555cc8c83f6951d9ec73d834d6d17865fecdb543605471a562"
      for pieces in [1, 2, 7, 13, 64, 700] {
        #expect(BackupFixture.hex(hash(input, pieces: pieces)) == digest, "\(pieces) pieces")
      }
    }

    /// Hashes `input` fed in `pieces` roughly equal parts.
    private func hash(_ input: [UInt8], pieces: Int) -> [UInt8] {
      var hasher = SHA224Hasher()
      let size = max(1, input.count / pieces)
      var start = 0
      while start < input.count {
        let end = min(input.count, start + size)
        input[start..<end].withUnsafeBytes { hasher.update($0) }
        start = end
      }
      return hasher.finalize()
    }
  }
}
