/// Why `pitr wal-fetch` found a file but could not deliver it.
///
/// The ``description`` is the line printed on stderr (and so in the server log): it names
/// the file and the problem, for example "000000010000000000000005.gz: xlp_pageaddr is
/// 0/3000000, but segment 000000010000000000000005 starts at 0/5000000".
public struct WALFetchError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The kind of problem, for callers that react differently to each.
  public enum Kind: String, Equatable, Sendable {
    /// The file is not the one its name says, or it is damaged: a wrong header, another
    /// cluster, a wrong size, corrupt compressed data.
    case damaged
    /// The file is compressed with something pitr does not decompress (bzip2, xz).
    case unsupportedCompression
    /// A file could not be read, or the destination could not be written.
    case io
    /// The request itself cannot be served: a name with a folder in it, or a `.partial`.
    case invalidRequest
  }

  /// The kind of problem.
  public var kind: Kind
  /// The file the problem is in (the archived file, or the destination for a write).
  public var file: String
  /// The whole user-facing sentence.
  public var description: String

  /// Makes an error whose sentence is `<file>: <problem>`.
  public init(_ kind: Kind, file: String, _ problem: String) {
    self.kind = kind
    self.file = file
    self.description = "\(file): \(problem)"
  }
}
