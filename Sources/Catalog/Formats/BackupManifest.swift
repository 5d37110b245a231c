import Crypto
import Foundation
import PostgresVocabulary
import WAL

/// The `backup_manifest` pg_basebackup writes (13+): every file of the backup with its size
/// and checksum, and the WAL the backup needs.
///
/// Versions 1 (13–16) and 2 (17+, which adds `System-Identifier`) are read. The
/// `Manifest-Checksum` is verified: SHA-256 over every byte up to and including the newline
/// that ends the line before the `"Manifest-Checksum"` line.
public struct BackupManifest: Hashable, Sendable {
  /// `PostgreSQL-Backup-Manifest-Version`: 1 or 2.
  public var version: Int
  /// `System-Identifier` (version 2), to compare with pg_control's.
  public var systemIdentifier: UInt64?
  public var files: [File]
  /// The WAL needed per timeline, newest timeline first.
  public var walRanges: [WALRange]
  /// The verified `Manifest-Checksum`, lowercase hex.
  public var manifestChecksum: String

  /// Parses and verifies the bytes of a backup_manifest file.
  ///
  /// - Throws: `CatalogFormatError` for JSON that is not a manifest, an unknown version, a
  ///   bad field, or a `Manifest-Checksum` that does not match the content.
  public init(parsing data: some Collection<UInt8>) throws(CatalogFormatError) {
    let bytes = Array(data)
    let document: Document
    do {
      document = try JSONDecoder().decode(Document.self, from: Data(bytes))
    } catch {
      throw CatalogFormatError(.backupManifest, .invalidContent(Self.describe(error)))
    }
    guard [1, 2].contains(document.version) else {
      throw CatalogFormatError(
        .backupManifest,
        .unsupportedVersion("manifest version \(document.version) is not 1 or 2"))
    }
    if document.version == 2, document.systemIdentifier == nil {
      throw CatalogFormatError(
        .backupManifest, .invalidContent("missing \"System-Identifier\" in a version 2 manifest"))
    }
    let computed = try Self.checksum(of: bytes)
    let expected = document.manifestChecksum.lowercased()
    guard expected == computed else {
      throw CatalogFormatError(
        .backupManifest, .checksumMismatch(expected: expected, computed: computed))
    }
    version = document.version
    systemIdentifier = document.systemIdentifier
    manifestChecksum = expected
    files = []
    files.reserveCapacity(document.files.count)
    for (index, entry) in document.files.enumerated() {
      files.append(try Self.file(entry, index: index))
    }
    walRanges = []
    for (index, entry) in document.walRanges.enumerated() {
      walRanges.append(try Self.walRange(entry, index: index))
    }
  }

  /// The SHA-256, in lowercase hex, of the content the `Manifest-Checksum` covers.
  static func checksum(of bytes: [UInt8]) throws(CatalogFormatError) -> String {
    var newlines = 0
    var end = bytes.endIndex
    while end > bytes.startIndex, newlines < 2 {
      end -= 1
      if bytes[end] == UInt8(ascii: "\n") { newlines += 1 }
    }
    guard newlines == 2 else {
      throw CatalogFormatError(
        .backupManifest, .invalidContent("expected at least 2 lines ending in a newline"))
    }
    return Hex.encode(SHA256.hash(data: bytes[...end]))
  }

  private static func file(_ entry: FileEntry, index: Int) throws(CatalogFormatError) -> File {
    func invalid(_ key: String, _ value: String, expected: String) -> CatalogFormatError {
      CatalogFormatError(
        .backupManifest,
        .invalidValue(key: "Files[\(index)].\(key)", value: value, expected: expected))
    }
    let rawPath: [UInt8]
    switch (entry.path, entry.encodedPath) {
    case (let path?, nil):
      rawPath = Array(path.utf8)
    case (nil, let encoded?):
      guard let decoded = Hex.decode(encoded) else {
        throw invalid("Encoded-Path", encoded, expected: "hex digits, two per byte")
      }
      rawPath = decoded
    default:
      throw CatalogFormatError(
        .backupManifest,
        .invalidContent("Files[\(index)] must have exactly one of \"Path\" and \"Encoded-Path\""))
    }
    var checksum: Checksum?
    switch (entry.checksumAlgorithm, entry.checksum) {
    case (nil, nil), ("NONE", nil), ("NONE", ""):
      checksum = nil
    case (let name?, let hex?):
      guard let algorithm = Checksum.Algorithm(rawValue: name) else {
        throw invalid(
          "Checksum-Algorithm", name, expected: "CRC32C, SHA224, SHA256, SHA384, SHA512 or NONE")
      }
      guard let digest = Hex.decode(hex), digest.count == algorithm.byteCount else {
        throw invalid(
          "Checksum", hex, expected: "\(algorithm.byteCount * 2) hex digits for \(name)")
      }
      checksum = Checksum(algorithm: algorithm, bytes: digest)
    default:
      throw CatalogFormatError(
        .backupManifest,
        .invalidContent(
          "Files[\(index)] must have both \"Checksum-Algorithm\" and \"Checksum\", or neither"))
    }
    guard entry.size >= 0 else {
      throw invalid("Size", String(entry.size), expected: "a size in bytes")
    }
    return File(
      rawPath: rawPath, size: UInt64(entry.size), lastModified: BackupTimestamp(entry.lastModified),
      checksum: checksum)
  }

  private static func walRange(_ entry: RangeEntry, index: Int) throws(CatalogFormatError)
    -> WALRange
  {
    guard let start = LSN(entry.startLSN), let end = LSN(entry.endLSN),
      let timeline = UInt32(exactly: entry.timeline), timeline > 0
    else {
      throw CatalogFormatError(
        .backupManifest,
        .invalidContent(
          "WAL-Ranges[\(index)] must have a timeline from 1 to 4294967295 and LSNs of the form X/Y, found "
            + "\(entry.timeline), '\(entry.startLSN)', '\(entry.endLSN)'"))
    }
    return WALRange(timeline: TimelineID(timeline), start: start, end: end)
  }
}
