import Archives
import Testing
import _PITRTestSupport

/// Damaged archives must end in a parse or a thrown ``ArchiveError``: never a crash or a hang.
@Suite struct ArchiveFuzzTests {
  /// An archive using every header feature: pax (local and global), GNU long names, base-256.
  private static func richTar() throws -> [UInt8] {
    var pax = TarWriter([UInt8](), format: .pax)
    try pax.appendGlobalHeader([("uname", "everyone")])
    try pax.append(.file(String(repeating: "long/", count: 30) + "file"), data: [1, 2, 3])
    try pax.append(.symlink("link", to: String(repeating: "t", count: 150)))
    var gnu = TarWriter([UInt8](), format: .gnu)
    try gnu.append(.file(String(repeating: "gnu/", count: 40) + "file"), data: [4])
    try gnu.append(.file("base256"), data: ArchiveSamples.text(700), base256Size: true)
    let base = try ArchiveSamples.baseBackup()
    return pax.sink + gnu.sink + base
  }

  /// Reads all of `bytes` (as tar, or tar.gz), accepting success or an ``ArchiveError``.
  private func parseOrThrow(_ bytes: [UInt8], gzip: Bool) {
    do {
      _ = gzip ? try ArchiveSamples.readAll(tarGz: bytes) : try ArchiveSamples.readAll(tar: bytes)
    } catch is ArchiveError {
    } catch {
      Issue.record("unexpected error type: \(error)")
    }
  }

  @Test func flippedBytesParseOrThrow() throws {
    let tar = try Self.richTar()
    let tarGz = try gzip(tar)
    #expect(try ArchiveSamples.readAll(tar: tar).count == 12)
    var random = SeededRandom(seed: 2024)
    for round in 0..<600 {
      let compressed = round % 3 == 0
      var bytes = compressed ? tarGz : tar
      for _ in 0...(random.next() % 4) {
        let index = Int(random.next() % UInt64(bytes.count))
        bytes[index] = round % 2 == 0 ? UInt8(truncatingIfNeeded: random.next()) : bytes[index] ^ 1
      }
      parseOrThrow(bytes, gzip: compressed)
    }
  }

  @Test func headerFieldsFilledWithGarbageParseOrThrow() throws {
    let tar = try Self.richTar()
    var random = SeededRandom(seed: 77)
    let fields = [100..<108, 108..<116, 124..<136, 136..<148, 156..<157, 257..<265, 345..<500]
    for round in 0..<400 {
      var bytes = tar
      let header = 512 * Int(random.next() % UInt64(tar.count / 512))
      let field = fields[round % fields.count]
      for index in field { bytes[header + index] = UInt8(truncatingIfNeeded: random.next()) }
      if round % 2 == 0 { TarHeaderBytes.reseal(&bytes, headerAt: header) }
      parseOrThrow(bytes, gzip: false)
    }
  }

  @Test func truncationsAtManyOffsetsParseOrThrow() throws {
    let tar = try Self.richTar()
    let tarGz = try gzip(tar)
    for length in stride(from: 0, to: tar.count, by: 37) {
      parseOrThrow(Array(tar[..<length]), gzip: false)
    }
    for length in stride(from: 0, to: tarGz.count, by: 3) {
      parseOrThrow(Array(tarGz[..<length]), gzip: true)
    }
  }
}
