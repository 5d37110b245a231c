import PostgresVocabulary

/// The formats of text values in a plan. Each has a JSON Schema pattern (for editors) and a
/// check with a specific message (for the loader); the loader's check is the stricter one.
public enum StringFormat: Sendable {
  /// Any non-empty text.
  case text
  /// Non-empty text, possibly on several lines (SQL).
  case multilineText
  /// An absolute path (after `${NAME}` interpolation).
  case absolutePath
  /// A repository: an absolute path, `s3://bucket/prefix` or `ssh://[user@]host[:port]/path`.
  case repositoryLocation
  /// An `http://` or `https://` URL without credentials (an S3 endpoint).
  case serviceURL
  /// A WAL location `X/Y` in hex.
  case lsn
  /// A `target.time`: date, time, optional offset or zone name.
  case timestamp
  /// A restore point name: at most 63 bytes.
  case restorePointName
  /// A plan name, usable in file names.
  case planName
  /// A PostgreSQL setting name.
  case settingName
  /// A tablespace OID or name.
  case tablespaceKey
  /// A libpq connection string without a password.
  case connectionString
  /// An operating-system user name.
  case osUser
  /// An AWS region name (`eu-west-1`).
  case awsRegion
  /// A database name: at most 63 bytes.
  case databaseName

  /// A phrase for messages and docs.
  public var phrase: String {
    switch self {
    case .text, .multilineText: "text"
    case .absolutePath: "an absolute path"
    case .repositoryLocation: RepositoryLocationParser.accepted
    case .serviceURL: "an http:// or https:// URL"
    case .lsn: "an LSN such as 0/3007528"
    case .timestamp: "a time such as '2025-12-24 17:53:00-07'"
    case .restorePointName: "a restore point name (at most 63 bytes)"
    case .planName: "a name of letters, digits, '.', '_' and '-'"
    case .settingName: "a PostgreSQL setting name"
    case .tablespaceKey: "a tablespace OID or name"
    case .connectionString: "a libpq connection string"
    case .osUser: "an operating-system user name"
    case .awsRegion: "a region name such as eu-west-1"
    case .databaseName: "a database name (at most 63 bytes)"
    }
  }

  /// The ECMAScript regex `pitr schema` gives for the format, if any.
  public var pattern: String? {
    switch self {
    case .text, .multilineText, .restorePointName, .tablespaceKey, .connectionString,
      .databaseName:
      nil
    case .absolutePath: #"^(/|\$\{)"#
    case .repositoryLocation: #"^(/|\$\{|s3://|ssh://)"#
    case .serviceURL: #"^(https?://|\$\{)"#
    case .lsn: #"^[0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8}$"#
    case .timestamp: TargetTimeParser.pattern
    case .planName: #"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$"#
    case .settingName: #"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$"#
    case .osUser: #"^[a-z_][a-z0-9_-]{0,31}$"#
    case .awsRegion: #"^[a-z0-9][a-z0-9-]{0,62}$"#
    }
  }

  /// The most characters the schema allows, if limited.
  public var maximumLength: Int? {
    switch self {
    case .restorePointName, .databaseName, .planName: 63
    default: nil
    }
  }

  /// Why `text` (already interpolated) does not fit the format, or `nil` when it does.
  ///
  /// - Parameter path: the key path for messages (`target.lsn`).
  func problem(in text: String, path: String) -> FormatProblem? {
    if text.isEmpty { return FormatProblem("'\(path)' is empty; give \(phrase)") }
    if self != .multilineText, text.contains(where: \.isNewline) {
      return FormatProblem("'\(path)' must be a single line")
    }
    switch self {
    case .text, .multilineText:
      return nil
    case .absolutePath:
      return text.hasPrefix("/")
        ? nil
        : FormatProblem(
          "'\(path)' must be an absolute path, not '\(text)'; "
            + "write it from the root, such as /srv/pg/\(text.split(separator: "/").last ?? "data")")
    case .repositoryLocation:
      if case .failure(let problem) = RepositoryLocationParser.parse(text, path: path) {
        return problem
      }
      return nil
    case .serviceURL:
      return RepositoryLocationParser.serviceURLProblem(text, path: path)
    case .lsn:
      return LSN(text) != nil
        ? nil
        : FormatProblem(
          "'\(text)' is not an LSN; write two hex numbers of 1 to 8 digits separated by '/', "
            + "as PostgreSQL prints them (0/3007528)")
    case .timestamp:
      switch TargetTimeParser.parse(text) {
      case .success: return nil
      case .failure(let problem): return FormatProblem(problem.message, notes: problem.notes)
      }
    case .restorePointName, .databaseName:
      let bytes = text.utf8.count
      return bytes <= 63
        ? nil
        : FormatProblem(
          "'\(path)' is \(bytes) bytes long; PostgreSQL names are at most 63 bytes")
    case .planName, .settingName, .osUser, .awsRegion:
      return text.wholeMatch(of: try! Regex(pattern!)) != nil
        ? nil : FormatProblem("'\(text)' is not \(phrase)")
    case .tablespaceKey:
      return nil
    case .connectionString:
      return ConnectionString.problem(in: text).map { problem in
        FormatProblem(
          problem.message, notes: problem.suggestion.map { ["did you mean '\($0)'?"] } ?? [])
      }
    }
  }
}

/// A value that does not fit its format: the message and any notes.
struct FormatProblem: Error, Equatable {
  var message: String
  var notes: [String]

  init(_ message: String, notes: [String] = []) {
    self.message = message
    self.notes = notes
  }
}
