import Archives
import Foundation
import Testing
import _PITRTestSupport

@Suite struct LargeArchiveTests {
  private let label = Array("START WAL LOCATION: 0/9000028 (file 000000010000000000000009)\n".utf8)
  private let control = ArchiveSamples.text(8192, seed: 9)

  /// Writes a tar with a small label, a `hugeSize`-byte member and a control file, streaming
  /// the huge member 1 MiB at a time, to `sink`.
  private func writeArchive<S: ByteSink>(to sink: S, hugeSize: Int) throws -> S {
    var tar = TarWriter(sink, format: .pax)
    try tar.append(.file("backup_label"), data: label)
    let chunk = ArchiveSamples.text(1 << 20, seed: 4)
    var huge = TarEntry.file("base/16384/huge")
    huge.size = Int64(hugeSize)
    try tar.beginEntry(huge)
    for _ in 0..<(hugeSize >> 20) { try chunk.withUnsafeBytes { try tar.writeData($0) } }
    try tar.endEntry()
    try tar.append(.file("global/pg_control"), data: control)
    return try tar.finish()
  }

  private func fileSize(_ path: String) throws -> Int64 {
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    return (attributes[.size] as? NSNumber)?.int64Value ?? -1
  }

  @Test func readingTheFirstMemberOfALargeTarGzReadsLittleOfIt() throws {
    let directory = try TemporaryDirectory("archives-large")
    defer { directory.remove() }
    let path = directory.file("base.tar.gz")
    let sink = try FileSink(path: path)
    _ = try writeArchive(to: try GzipWriter(sink, level: 1), hugeSize: 200 << 20).finish()
    sink.close()
    let size = try fileSize(path)
    #expect(size > 10 << 20)

    var reader = TarReader(try DecompressedFileStream(path: path))
    #expect(try reader.next()?.path == "backup_label")
    #expect(try reader.readAll(limit: 1 << 20) == label)
    let huge = try #require(try reader.next())
    #expect(huge.size == 200 << 20)
    #expect(reader.source.compressedBytesRead <= 128 << 10)

    let last = try #require(try reader.next())
    #expect(last.path == "global/pg_control")
    #expect(try reader.readAll(limit: 1 << 20) == control)
    #expect(try reader.next() == nil)
    #expect(reader.source.compressedBytesRead == size)
  }

  @Test func skippingInAPlainTarSeeksInsteadOfReading() throws {
    let directory = try TemporaryDirectory("archives-large-plain")
    defer { directory.remove() }
    let path = directory.file("base.tar")
    let sink = try FileSink(path: path)
    _ = try writeArchive(to: sink, hugeSize: 16 << 20)
    sink.close()

    var reader = TarReader(try DecompressedFileStream(path: path))
    #expect(reader.source.compression == CompressionKind.none)
    #expect(try reader.next()?.path == "backup_label")
    #expect(try reader.next()?.size == 16 << 20)
    let last = try #require(try reader.next())
    #expect(last.path == "global/pg_control")
    #expect(last.headerOffset == 1024 + 512 + (16 << 20))
    #expect(reader.source.compressedBytesRead == last.headerOffset + 512)
    #expect(try reader.readAll(limit: 8192) == control)
  }
}
