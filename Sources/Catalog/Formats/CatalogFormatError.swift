import PostgresVocabulary

/// A backup or archive file whose content pitr cannot read: which file, where, and why.
///
/// The `description` is the sentence shown to the user, for example
/// `backup_label: missing 'START WAL LOCATION' line` or
/// `pg_control CRC mismatch: stored 0x1A2B3C4D, computed 0xEC94FF16`.
public struct CatalogFormatError: Error, Hashable, Sendable, CustomStringConvertible {
  /// The kind of file that failed to parse.
  public enum File: Hashable, Sendable, CustomStringConvertible {
    case controlFile
    case backupLabel
    case backupHistoryFile
    case timelineHistory(TimelineID)
    case tablespaceMap
    case backupManifest
    case pgVersion

    /// The name the user knows it by: `pg_control`, `00000002.history`.
    public var description: String {
      switch self {
      case .controlFile: "pg_control"
      case .backupLabel: "backup_label"
      case .backupHistoryFile: "backup history file"
      case .timelineHistory(let timeline): "\(timeline.fileNamePart).history"
      case .tablespaceMap: "tablespace_map"
      case .backupManifest: "backup_manifest"
      case .pgVersion: "PG_VERSION"
      }
    }
  }

  /// What is wrong.
  public enum Problem: Hashable, Sendable {
    /// The file ends before the data it must hold.
    case tooShort(size: Int, minimum: Int)
    /// A stored CRC-32C does not match the one computed over the content.
    case crcMismatch(stored: UInt32, computed: UInt32)
    /// A stored digest (hex) does not match the one computed over the content.
    case checksumMismatch(expected: String, computed: String)
    /// The file comes from a PostgreSQL release or format version pitr does not know.
    case unsupportedVersion(String)
    /// The cluster was built for another platform: `"not a little-endian 64-bit cluster …"`.
    case incompatibleCluster(String)
    /// A line every such file has is not there (the key, as in `START WAL LOCATION`).
    case missingLine(String)
    /// A known key has a value that cannot be read.
    case invalidValue(key: String, value: String, expected: String)
    /// Any other content that cannot be read; the text says what and, if it can, what would.
    case invalidContent(String)
  }

  public var file: File
  /// The 1-based line the problem is on, when the file is text and the line is known.
  public var line: Int?
  public var problem: Problem

  public init(_ file: File, line: Int? = nil, _ problem: Problem) {
    self.file = file
    self.line = line
    self.problem = problem
  }

  public var description: String {
    let place = "\(file)" + (line.map { ": line \($0)" } ?? "")
    switch problem {
    case .crcMismatch(let stored, let computed):
      return "\(place) CRC mismatch: stored \(Self.hex(stored)), computed \(Self.hex(computed))"
    case .checksumMismatch(let expected, let computed):
      return "\(place) checksum mismatch: the file says \(expected), its content hashes to "
        + computed
    case .tooShort(let size, let minimum):
      return "\(place): the file is \(size) bytes long; it must be at least \(minimum)"
    case .unsupportedVersion(let text), .incompatibleCluster(let text),
      .invalidContent(let text):
      return "\(place): \(text)"
    case .missingLine(let key):
      return "\(place): missing '\(key)' line"
    case .invalidValue(let key, let value, let expected):
      return "\(place): cannot read '\(key)' value '\(value)'; expected \(expected)"
    }
  }

  /// `0x0000ABCD`: eight uppercase digits.
  static func hex(_ value: UInt32) -> String {
    let digits = String(value, radix: 16, uppercase: true)
    return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
  }
}
