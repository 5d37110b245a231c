import Foundation

extension BackupManifest {
  /// The manifest's JSON as written, before its values are checked.
  struct Document: Decodable {
    var version: Int
    var systemIdentifier: UInt64?
    var files: [FileEntry]
    var walRanges: [RangeEntry]
    var manifestChecksum: String

    enum CodingKeys: String, CodingKey {
      case version = "PostgreSQL-Backup-Manifest-Version"
      case systemIdentifier = "System-Identifier"
      case files = "Files"
      case walRanges = "WAL-Ranges"
      case manifestChecksum = "Manifest-Checksum"
    }
  }

  struct FileEntry: Decodable {
    var path: String?
    var encodedPath: String?
    /// Signed, so that a negative size is reported as such rather than as bad JSON.
    var size: Int64
    var lastModified: String
    var checksumAlgorithm: String?
    var checksum: String?

    enum CodingKeys: String, CodingKey {
      case path = "Path"
      case encodedPath = "Encoded-Path"
      case size = "Size"
      case lastModified = "Last-Modified"
      case checksumAlgorithm = "Checksum-Algorithm"
      case checksum = "Checksum"
    }
  }

  struct RangeEntry: Decodable {
    /// Wider than a timeline, so that one out of range is reported as such rather than as
    /// bad JSON.
    var timeline: Int64
    var startLSN: String
    var endLSN: String

    enum CodingKeys: String, CodingKey {
      case timeline = "Timeline"
      case startLSN = "Start-LSN"
      case endLSN = "End-LSN"
    }
  }

  /// A decoding failure in words, with the JSON path: `missing "Size" in Files[3]`.
  static func describe(_ error: any Error) -> String {
    guard let error = error as? DecodingError else { return "not valid JSON: \(error)" }
    switch error {
    case .keyNotFound(let key, let context):
      return "missing \"\(key.stringValue)\"" + place(context.codingPath, prefix: " in ")
    case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
      return "\(place(context.codingPath, prefix: "")) is not \(kind(of: type))"
    case .dataCorrupted(let context):
      if context.codingPath.isEmpty { return "not valid JSON" }
      return "\(place(context.codingPath, prefix: "")) is not valid: \(context.debugDescription)"
    @unknown default:
      return "not valid JSON: \(error)"
    }
  }

  private static func place(_ path: [any CodingKey], prefix: String) -> String {
    guard !path.isEmpty else { return "" }
    let text = path.enumerated().map { index, key in
      key.intValue.map { "[\($0)]" } ?? (index == 0 ? "" : ".") + key.stringValue
    }.joined()
    return prefix + text
  }

  private static func kind(of type: Any.Type) -> String {
    switch type {
    case is String.Type: "a string"
    case is Int.Type, is Int64.Type, is UInt32.Type, is UInt64.Type: "an integer"
    case is [FileEntry].Type, is [RangeEntry].Type: "an array"
    default: "of the right type"
    }
  }
}
