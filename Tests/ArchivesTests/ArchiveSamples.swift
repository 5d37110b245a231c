import Archives
import _PITRTestSupport

/// A tar entry read back with all its data.
struct ReadEntry {
  var entry: TarEntry
  var data: [UInt8]
}

/// Small archives and helpers shared by the Archives tests.
enum ArchiveSamples {
  /// Reads every entry of the tar stream `source`, with its data, in `chunk`-byte reads.
  static func readAll<S: ByteStream>(_ source: S, chunk: Int = 4096) throws -> [ReadEntry] {
    var reader = TarReader(source)
    var result: [ReadEntry] = []
    var buffer = [UInt8](repeating: 0, count: chunk)
    while let entry = try reader.next() {
      var data: [UInt8] = []
      while true {
        let count = try buffer.withUnsafeMutableBytes { try reader.readData(into: $0) }
        if count == 0 { break }
        data += buffer[..<count]
      }
      result.append(ReadEntry(entry: entry, data: data))
    }
    return result
  }

  /// Reads every entry of an uncompressed tar held in memory.
  static func readAll(tar bytes: [UInt8], name: String = "test.tar") throws -> [ReadEntry] {
    try readAll(MemoryByteStream(bytes, name: name))
  }

  /// Reads every entry of a gzip'd tar held in memory.
  static func readAll(tarGz bytes: [UInt8], name: String = "test.tar.gz") throws -> [ReadEntry] {
    try readAll(GzipByteStream(MemoryByteStream(bytes, name: name)))
  }

  /// `count` bytes of readable, slightly varied text.
  static func text(_ count: Int, seed: UInt64 = 1) -> [UInt8] {
    var random = SeededRandom(seed: seed)
    let words = ["wal", "segment", "backup", "label", "checkpoint", "redo", "timeline", "\n"]
    var bytes: [UInt8] = []
    bytes.reserveCapacity(count + 16)
    while bytes.count < count {
      bytes += words[Int(random.next() % UInt64(words.count))].utf8
      bytes.append(UInt8(ascii: " "))
    }
    return Array(bytes.prefix(count))
  }

  /// A pg_basebackup-like archive: label, directories as pg_basebackup stores them, a control
  /// file, a link, and a file whose data ends mid-block.
  static func baseBackup(format: TarWriter<[UInt8]>.Format = .pax) throws -> [UInt8] {
    var tar = TarWriter([UInt8](), format: format)
    try tar.append(.file("backup_label"), data: Array("START WAL LOCATION: 0/2000028\n".utf8))
    try tar.append(.directory("pg_wal/"))
    try tar.append(.directory("./pg_wal/archive_status/"))
    try tar.append(.directory("global/"))
    try tar.append(.file("global/pg_control"), data: text(8192, seed: 2))
    try tar.append(.file("base/1/1259"), data: text(1000, seed: 3))
    try tar.append(.symlink("pg_tblspc/16385", to: "/srv/tablespaces/fast"))
    try tar.append(.file("PG_VERSION"), data: Array("15\n".utf8))
    return try tar.finish()
  }

  /// A pax `x` header whose data is `records` exactly as given (possibly malformed).
  static func paxHeader(_ records: String) throws -> [UInt8] {
    var tar = TarWriter([UInt8](), format: .pax)
    try tar.append(.fixture("PaxHeaders/entry", .other(typeFlag: 0x78)), data: Array(records.utf8))
    return tar.sink
  }
}
