import Archives

/// Why a backup could not be extracted; the executor then never starts PostgreSQL.
///
/// The ``description`` is the sentence shown to the user: the archive (or backup folder) it
/// is about, then what went wrong, for example "base.tar.gz: global/pg_control does not match
/// backup_manifest (checksum CRC32C: expected 7ff8f136, computed 12345678); the backup is
/// damaged, nothing was started".
public struct ExtractionError: Error, Hashable, Sendable, CustomStringConvertible {
  /// The kind of problem, for callers that react differently to each.
  public enum Kind: String, Hashable, Sendable {
    /// A file does not match `backup_manifest` (size, checksum), is missing from the backup,
    /// or is in the backup but not in the manifest.
    case damaged
    /// An entry would be written outside its destination, through a link, over another
    /// entry, or is of a type a backup never holds.
    case unsafeEntry
    /// The data directory or a tablespace location is not usable (not empty, not absolute).
    case destination
    /// The tablespaces of the backup and the new locations given do not match.
    case tablespace
    /// `backup_manifest` is missing or cannot be read.
    case manifest
    /// An archive is missing, or cannot be read or decompressed.
    case archive
    /// A system call failed.
    case io
  }

  /// The kind of problem.
  public var kind: Kind
  /// The archive or backup folder the problem is in (`base.tar.gz`), when known.
  public var source: String?
  /// The file at fault, relative to the data directory, when there is one.
  public var path: String?
  /// What went wrong, without the source.
  public var problem: String

  /// Makes an error.
  ///
  /// - Parameters:
  ///   - kind: The kind of problem.
  ///   - problem: The sentence, without the source: "entry '../x' would be written outside
  ///     the data directory; refused".
  ///   - path: The file at fault, relative to the data directory.
  ///   - source: The archive or backup folder.
  public init(_ kind: Kind, _ problem: String, path: String? = nil, source: String? = nil) {
    self.kind = kind
    self.problem = problem
    self.path = path
    self.source = source
  }

  /// "source: problem", or the problem alone.
  public var description: String {
    source.map { "\($0): \(problem)" } ?? problem
  }

  /// The same error, naming `source` unless it already names one.
  func inSource(_ source: String) -> ExtractionError {
    var error = self
    error.source = error.source ?? source
    return error
  }
}
