import Foundation
import PostgresVocabulary

extension PostgreSQLMajorVersion {
  /// Reads a `PG_VERSION` file: the major number and a newline (`15\n`).
  ///
  /// Surrounding whitespace is tolerated. Releases before 10 (`9.6`) and anything that is not
  /// a number are errors.
  public init(pgVersionFile text: String) throws(CatalogFormatError) {
    let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
    guard let major = Int(trimmed), (1...999).contains(major) else {
      let problem =
        trimmed.wholeMatch(of: /[0-9]\.[0-9]+/) != nil
        ? "'\(trimmed)' is a PostgreSQL release older than 10; pitr reads \(Self.supportedRange)"
        : "expected a PostgreSQL major version such as '15', found '\(trimmed)'"
      throw CatalogFormatError(.pgVersion, .invalidContent(problem))
    }
    self.init(major)
  }
}
