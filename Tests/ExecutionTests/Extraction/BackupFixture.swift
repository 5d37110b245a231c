import Archives
import Crypto
import Foundation
import PostgresVocabulary
import WAL
import _PITRTestSupport

@testable import Execution

/// A synthetic base backup for extraction tests, written as tar (plain or gzip'd, with
/// `pg_wal.tar` and one tar per tablespace) or as a plain directory, with a
/// `backup_manifest` whose checksums are right unless a test asks otherwise.
struct BackupFixture {
  /// One file of the backup.
  struct Member {
    var path: String
    var data: [UInt8]
    var mode: UInt32 = 0o600
  }

  /// A tablespace: where it was, and its files (paths inside the tablespace directory).
  struct Tablespace {
    var originalLocation: String
    var members: [Member]
  }

  /// Directories written before the files, as pg_basebackup names them.
  var directories = ["global", "base", "base/1", "pg_wal", "./pg_wal/archive_status/", "pg_tblspc"]
  /// The data directory's files, in archive order.
  var members: [Member]
  /// The segments of `pg_wal.tar` (plain: of `pg_wal/`).
  var walSegments: [Member]
  /// The tablespaces, by OID.
  var tablespaces: [UInt32: Tablespace] = [:]
  /// `CRC32C`, `SHA256`, … or nil for a manifest without checksums.
  var algorithm: String? = "CRC32C"
  /// Files the manifest describes with other bytes than the backup holds.
  var manifestView: [String: [UInt8]] = [:]
  /// Files of the backup the manifest leaves out.
  var leftOutOfManifest: Set<String> = []
  /// Files only the manifest lists.
  var onlyInManifest: [Member] = []
  /// Entries appended to `base.tar` after the members, to craft unsafe archives.
  var extraEntries: [(TarEntry, [UInt8])] = []

  /// A relation of 300 KiB, with bytes that vary.
  static let relation: [UInt8] = {
    var bytes = [UInt8](repeating: 0, count: 300 * 1024)
    var random = SeededRandom(seed: 42)
    bytes.withUnsafeMutableBytes { raw in
      for offset in stride(from: 0, to: raw.count, by: 8) {
        raw.storeBytes(of: random.next(), toByteOffset: offset, as: UInt64.self)
      }
    }
    return bytes
  }()

  /// A small data directory: label, version, a 300 KiB relation, control file, one segment.
  static func standard() -> BackupFixture {
    BackupFixture(
      members: [
        Member(path: "backup_label", data: Array("START WAL LOCATION: 0/2000028\n".utf8)),
        Member(path: "tablespace_map", data: []),
        Member(path: "PG_VERSION", data: Array("15\n".utf8), mode: 0o640),
        Member(path: "postgresql.auto.conf", data: Array("# auto\n".utf8)),
        Member(path: "base/1/1259", data: relation),
        Member(path: "pg_wal/archive_status/000000010000000000000001.done", data: []),
        Member(path: "global/pg_control", data: Array(repeating: 0x5A, count: 8192)),
      ],
      walSegments: [
        Member(path: "000000010000000000000002", data: Array(repeating: 0xD1, count: 16384))
      ])
  }

  // MARK: - Writing

  /// Writes `base.tar[.gz]`, `pg_wal.tar`, the tablespace tars and `backup_manifest` into
  /// `folder`.
  func writeTar(into folder: String, gzip compress: Bool) throws {
    try writeTar(into: folder, compression: compress ? .gzip : .none)
  }

  /// Writes `base.tar` compressed as `compression` says (`base.tar.gz`, `.zst`, `.lz4`),
  /// `pg_wal.tar`, the tablespace tars (compressed too for zstd and lz4) and `backup_manifest`.
  func writeTar(into folder: String, compression: CompressionKind) throws {
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    var base = TarWriter([UInt8]())
    for directory in directories { try base.append(.directory(directory)) }
    for member in baseMembers {
      try base.append(.file(member.path, mode: member.mode), data: member.data)
    }
    for (entry, data) in extraEntries { try base.append(entry, data: data) }
    let bytes = try base.finish()
    let suffix = compression == .none ? "" : "." + compression.fileSuffix
    try write(compressBytes(bytes, as: compression), to: folder + "/base.tar" + suffix)
    if !walSegments.isEmpty {
      try write(Self.tar(walSegments), to: folder + "/pg_wal.tar")
    }
    let tablespaceKind: CompressionKind = compression == .gzip ? .none : compression
    let tablespaceSuffix = tablespaceKind == .none ? "" : suffix
    for (oid, tablespace) in tablespaces {
      try write(
        compressBytes(try Self.tar(tablespace.members), as: tablespaceKind),
        to: folder + "/\(oid).tar" + tablespaceSuffix)
    }
    try write(manifest(plain: false), to: folder + "/backup_manifest")
  }

  /// Writes the backup as a plain data directory in `folder`, each tablespace in its original
  /// location with a `pg_tblspc/<oid>` link to it.
  func writePlain(into folder: String) throws {
    for directory in directories {
      try FileManager.default.createDirectory(
        atPath: folder + "/" + ArchivePath(directory).normalized,
        withIntermediateDirectories: true)
    }
    for member in members where member.path != "tablespace_map" {
      try write(member.data, to: folder + "/" + member.path, mode: member.mode)
    }
    for segment in walSegments {
      try write(segment.data, to: folder + "/pg_wal/" + segment.path, mode: segment.mode)
    }
    for (oid, tablespace) in tablespaces {
      for member in tablespace.members {
        try write(member.data, to: tablespace.originalLocation + "/" + member.path)
      }
      try FileManager.default.createSymbolicLink(
        atPath: folder + "/pg_tblspc/\(oid)", withDestinationPath: tablespace.originalLocation)
    }
    try write(manifest(plain: true), to: folder + "/backup_manifest")
  }

  // MARK: - Contents

  /// The data directory's files, with `tablespace_map` listing the original locations.
  var baseMembers: [Member] {
    let map = tablespaces.sorted { $0.key < $1.key }
      .map { "\($0.key) \($0.value.originalLocation)\n" }.joined()
    return members.map { member in
      member.path == "tablespace_map" ? Member(path: member.path, data: Array(map.utf8)) : member
    }
  }

  /// Every file the manifest lists (before its views and omissions), as data-directory paths;
  /// plain backups have no `tablespace_map`.
  func manifestMembers(plain: Bool) -> [Member] {
    var all = baseMembers.filter { !plain || $0.path != "tablespace_map" }
    for (oid, tablespace) in tablespaces.sorted(by: { $0.key < $1.key }) {
      all += tablespace.members.map {
        Member(path: "pg_tblspc/\(oid)/\($0.path)", data: $0.data, mode: $0.mode)
      }
    }
    return all
  }

  /// The `backup_manifest` bytes: version 1, with `Manifest-Checksum`.
  func manifest(plain: Bool) -> [UInt8] {
    let listed =
      manifestMembers(plain: plain).filter { !leftOutOfManifest.contains($0.path) } + onlyInManifest
    var body = "{ \"PostgreSQL-Backup-Manifest-Version\": 1,\n\"Files\": [\n"
    body += listed.map { member in
      let data = manifestView[member.path] ?? member.data
      var line =
        "{ \"Path\": \"\(member.path)\", \"Size\": \(data.count), "
        + "\"Last-Modified\": \"2025-07-01 02:00:00 GMT\""
      if let algorithm {
        line +=
          ", \"Checksum-Algorithm\": \"\(algorithm)\", "
          + "\"Checksum\": \"\(Self.checksum(data, algorithm))\""
      }
      return line + " }"
    }.joined(separator: ",\n")
    body += "\n],\n\"WAL-Ranges\": [\n"
    body += "{ \"Timeline\": 1, \"Start-LSN\": \"0/2000028\", \"End-LSN\": \"0/2000100\" }\n],\n"
    let checksum = Self.hex(SHA256.hash(data: Data(body.utf8)))
    return Array((body + "\"Manifest-Checksum\": \"\(checksum)\"}\n").utf8)
  }

  /// A manifest checksum in hex: CRC-32C as its little-endian bytes, SHA-n as the digest.
  static func checksum(_ data: [UInt8], _ algorithm: String) -> String {
    switch algorithm {
    case "CRC32C": hex(withUnsafeBytes(of: CRC32C.checksum(data).littleEndian) { Array($0) })
    case "SHA224":
      hex(
        data.withUnsafeBytes { bytes in
          var hasher = SHA224Hasher()
          hasher.update(bytes)
          return hasher.finalize()
        })
    case "SHA384": hex(SHA384.hash(data: data))
    case "SHA512": hex(SHA512.hash(data: data))
    default: hex(SHA256.hash(data: data))
    }
  }

  static func hex(_ bytes: some Sequence<UInt8>) -> String {
    bytes.map { String(format: "%02x", $0) }.joined()
  }

  // MARK: - Helpers

  /// A plain tar of `members` at its top level.
  static func tar(_ members: [Member]) throws -> [UInt8] {
    var tar = TarWriter([UInt8]())
    for member in members {
      try tar.append(.file(member.path, mode: member.mode), data: member.data)
    }
    return try tar.finish()
  }

  func write(_ bytes: [UInt8], to path: String, mode: UInt32 = 0o644) throws {
    try FileManager.default.createDirectory(
      atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
  }
}
