import Catalog
import Foundation
import PostgresVocabulary
import Testing
import WAL

@Suite struct BackupManifestTests {
  /// A version 1 manifest in the layout of FORMATS.md §6.5, everything but its last line.
  static let v1Body = """
    { "PostgreSQL-Backup-Manifest-Version": 1,
    "Files": [
    { "Path": "backup_label", "Size": 206, "Last-Modified": "2026-11-22 15:32:56 GMT", \
    "Checksum-Algorithm": "CRC32C", "Checksum": "7ff8f136" },
    { "Encoded-Path": "626173652f312f31323334ff", "Size": 0, \
    "Last-Modified": "2026-11-22 15:32:50 GMT" },
    { "Path": "global/pg_control", "Size": 8192, "Last-Modified": "2026-11-22 15:32:56 GMT", \
    "Checksum-Algorithm": "SHA256", \
    "Checksum": "b2e7c6f2236f30dc240e00e79d1c80c71060062539370846e6bbac625cbb303a" }
    ],
    "WAL-Ranges": [
    { "Timeline": 1, "Start-LSN": "0/2000028", "End-LSN": "0/2000100" }
    ],

    """

  /// SHA-256 of `v1Body`, computed outside Swift.
  static let v1Checksum = "8a0f3347b3fd81e41cb70a0006761b3c8895e57641490a2631afc4a938d3f68b"

  static func manifest(_ body: String, checksum: String) -> [UInt8] {
    Array((body + "\"Manifest-Checksum\": \"\(checksum)\"}\n").utf8)
  }

  /// `body` with the checksum the parser computes for it, for tests about other fields.
  static func sealed(_ body: String) -> [UInt8] {
    let zeros = String(repeating: "0", count: 64)
    do {
      _ = try BackupManifest(parsing: manifest(body, checksum: zeros))
    } catch let error {
      if case .checksumMismatch(_, let computed) = error.problem {
        return manifest(body, checksum: computed)
      }
    }
    return manifest(body, checksum: zeros)
  }

  static func message(_ bytes: [UInt8]) -> String? {
    formatErrorMessage { try BackupManifest(parsing: bytes) }
  }

  @Test func readsTheV1Example() throws {
    let manifest = try BackupManifest(
      parsing: Self.manifest(Self.v1Body, checksum: Self.v1Checksum))
    #expect(manifest.version == 1)
    #expect(manifest.systemIdentifier == nil)
    #expect(manifest.manifestChecksum == Self.v1Checksum)
    #expect(manifest.files.count == 3)
    let label = manifest.files[0]
    #expect(label.path == "backup_label")
    #expect(label.size == 206)
    #expect(label.lastModified.text == "2026-11-22 15:32:56 GMT")
    #expect(label.lastModified.date == Date(timeIntervalSince1970: 1_795_361_576))
    #expect(label.checksum?.algorithm == .crc32c)
    #expect(label.checksum?.hex == "7ff8f136")
    #expect(label.checksum?.crc32cValue == 0x36F1_F87F)
    let encoded = manifest.files[1]
    #expect(encoded.rawPath == Array("base/1/1234".utf8) + [0xFF])
    #expect(encoded.path == "base/1/1234\u{FFFD}")
    #expect(encoded.checksum == nil)
    #expect(manifest.files[2].checksum?.algorithm == .sha256)
    #expect(manifest.files[2].checksum?.crc32cValue == nil)
    #expect(
      manifest.walRanges == [
        .init(timeline: TimelineID(1), start: LSN("0/2000028")!, end: LSN("0/2000100")!)
      ])
  }

  @Test func acceptsAnUppercaseManifestChecksum() throws {
    let bytes = Self.manifest(Self.v1Body, checksum: Self.v1Checksum.uppercased())
    #expect(try BackupManifest(parsing: bytes).manifestChecksum == Self.v1Checksum)
  }

  @Test func readsVersion2WithAFullSizeSystemIdentifier() throws {
    let body = Self.v1Body
      .replacingOccurrences(
        of: "\"PostgreSQL-Backup-Manifest-Version\": 1,",
        with:
          "\"PostgreSQL-Backup-Manifest-Version\": 2,\n\"System-Identifier\": 18446744073709551615,"
      )
    let manifest = try BackupManifest(parsing: Self.sealed(body))
    #expect(manifest.version == 2)
    #expect(manifest.systemIdentifier == UInt64.max)
    let odd = body.replacingOccurrences(of: "18446744073709551615", with: "7711019213718305797")
    #expect(
      try BackupManifest(parsing: Self.sealed(odd)).systemIdentifier == 7_711_019_213_718_305_797)
  }

  @Test func reportsAWrongChecksum() {
    var bytes = Self.manifest(Self.v1Body, checksum: Self.v1Checksum)
    let index = bytes.firstIndex(of: UInt8(ascii: "_"))!
    bytes[index] = UInt8(ascii: "-")
    let computed = "8a0f3347b3fd81e41cb70a0006761b3c8895e57641490a2631afc4a938d3f68b"
    #expect(
      Self.message(bytes)?.hasPrefix(
        "backup_manifest checksum mismatch: the file says \(computed), its content hashes to ")
        == true)
    #expect(Self.message(bytes)?.hasSuffix(computed) == false)
  }

  @Test(arguments: [
    (
      "\"Checksum\": \"7ff8f136\"", "\"Checksum\": \"7ff8f1\"",
      "backup_manifest: cannot read 'Files[0].Checksum' value '7ff8f1'; expected 8 hex digits for "
        + "CRC32C"
    ),
    (
      "\"Checksum-Algorithm\": \"CRC32C\"", "\"Checksum-Algorithm\": \"MD5\"",
      "backup_manifest: cannot read 'Files[0].Checksum-Algorithm' value 'MD5'; expected CRC32C, "
        + "SHA224, SHA256, SHA384, SHA512 or NONE"
    ),
    (
      "\"Checksum-Algorithm\": \"CRC32C\", ", "",
      "backup_manifest: Files[0] must have both \"Checksum-Algorithm\" and \"Checksum\", or "
        + "neither"
    ),
    (
      "\"Encoded-Path\": \"626173652f312f31323334ff\"", "\"Encoded-Path\": \"6g\"",
      "backup_manifest: cannot read 'Files[1].Encoded-Path' value '6g'; expected hex digits, two "
        + "per byte"
    ),
    (
      "{ \"Encoded-Path\": \"626173652f312f31323334ff\",", "{",
      "backup_manifest: Files[1] must have exactly one of \"Path\" and \"Encoded-Path\""
    ),
    (
      "\"Size\": 206", "\"Size\": -206",
      "backup_manifest: cannot read 'Files[0].Size' value '-206'; expected a size in bytes"
    ),
    ("\"Size\": 206", "\"Size\": \"206\"", "backup_manifest: Files[0].Size is not an integer"),
    ("\"Size\": 206, ", "", "backup_manifest: missing \"Size\" in Files[0]"),
    (
      "\"Start-LSN\": \"0/2000028\"", "\"Start-LSN\": \"2000028\"",
      "backup_manifest: WAL-Ranges[0] must have a timeline from 1 to 4294967295 and LSNs of the "
        + "form X/Y, found 1, '2000028', '0/2000100'"
    ),
    (
      "\"PostgreSQL-Backup-Manifest-Version\": 1", "\"PostgreSQL-Backup-Manifest-Version\": 3",
      "backup_manifest: manifest version 3 is not 1 or 2"
    ),
    (
      "\"PostgreSQL-Backup-Manifest-Version\": 1", "\"PostgreSQL-Backup-Manifest-Version\": 2",
      "backup_manifest: missing \"System-Identifier\" in a version 2 manifest"
    ),
    ("\"WAL-Ranges\"", "\"WAL-Range\"", "backup_manifest: missing \"WAL-Ranges\""),
    ("\"Files\": [", "\"Files\": [[", "backup_manifest: not valid JSON"),
  ])
  func reportsBadFields(original: String, replacement: String, message: String) {
    let body = Self.v1Body.replacingOccurrences(of: original, with: replacement)
    #expect(body != Self.v1Body)
    #expect(Self.message(Self.sealed(body)) == message)
  }

  @Test func acceptsAlgorithmNoneWithoutAChecksum() throws {
    let body = Self.v1Body.replacingOccurrences(
      of: "\"Checksum-Algorithm\": \"CRC32C\", \"Checksum\": \"7ff8f136\"",
      with: "\"Checksum-Algorithm\": \"NONE\"")
    #expect(try BackupManifest(parsing: Self.sealed(body)).files[0].checksum == nil)
  }

  @Test(arguments: ["", "{}", "{}\n", "\n\n", "[1, 2]\n\n", "\u{FEFF}garbage\n\n"])
  func refusesGarbage(text: String) {
    #expect(throws: CatalogFormatError.self) { try BackupManifest(parsing: Array(text.utf8)) }
  }

  @Test func needsTwoLinesForTheChecksum() {
    let oneLine = Self.v1Body.replacingOccurrences(of: "\n", with: " ")
    #expect(
      Self.message(Self.manifest(oneLine, checksum: Self.v1Checksum))
        == "backup_manifest: expected at least 2 lines ending in a newline")
  }
}
