import Catalog
import PostgresVocabulary
import Testing

/// Reading `PG_VERSION` files; the version itself is tested in PostgresVocabularyTests.
@Suite struct PGVersionFileTests {
  @Test(arguments: [("15\n", 15), ("13", 13), (" 18 \n", 18), ("10\n", 10)])
  func readsPGVersionFiles(text: String, major: Int) throws {
    #expect(try PostgreSQLMajorVersion(pgVersionFile: text).rawValue == major)
  }

  @Test(arguments: [
    ("9.6\n", "PG_VERSION: '9.6' is a PostgreSQL release older than 10; pitr reads 13 to 19"),
    ("", "PG_VERSION: expected a PostgreSQL major version such as '15', found ''"),
    ("fifteen\n", "PG_VERSION: expected a PostgreSQL major version such as '15', found 'fifteen'"),
    ("-3", "PG_VERSION: expected a PostgreSQL major version such as '15', found '-3'"),
    ("15\n16\n", "PG_VERSION: expected a PostgreSQL major version such as '15', found '15\n16'"),
  ])
  func refusesOtherPGVersionContents(text: String, message: String) {
    #expect(formatErrorMessage { try PostgreSQLMajorVersion(pgVersionFile: text) } == message)
  }
}
