/// One SQL check run on the restored server once the target is reached (a `verify:` entry).
public struct VerificationCheck: Hashable, Sendable, Codable {
  /// What the check expects back.
  public enum Expectation: Hashable, Sendable, Codable {
    /// A single value, as text; `nil` is SQL NULL.
    case value(String?)
    /// Every row, each a list of column values as text; `nil` is SQL NULL.
    case rows([[String?]])
  }

  /// A label for reports; defaults to the SQL.
  public var name: Located<String>?
  /// The database to connect to.
  public var database: Located<String>
  /// The query.
  public var sql: Located<String>
  public var expectation: Located<Expectation>
  /// Where the entry starts (its `-`).
  public var location: SourceLocation

  public init(
    name: Located<String>?, database: Located<String>, sql: Located<String>,
    expectation: Located<Expectation>, location: SourceLocation
  ) {
    self.name = name
    self.database = database
    self.sql = sql
    self.expectation = expectation
    self.location = location
  }

  /// The name to show in reports.
  public var label: String { name?.value ?? sql.value }
}
