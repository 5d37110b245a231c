import Catalog
import Testing

@Suite struct TablespaceMapTests {
  static func message(_ text: String) -> String? {
    formatErrorMessage { try TablespaceMap(parsing: text) }
  }

  @Test func anEmptyFileHasNoEntries() throws {
    #expect(try TablespaceMap(parsing: "").entries.isEmpty)
  }

  @Test func readsPathsWithSpaces() throws {
    let map = try TablespaceMap(parsing: "16384 /mnt/fast disk/ts\n16385  leading space\n")
    #expect(
      map.entries == [
        .init(oid: 16384, path: "/mnt/fast disk/ts"), .init(oid: 16385, path: " leading space"),
      ])
  }

  @Test func unescapesBackslashesAndNewlines() throws {
    let text = "16384 /mnt/back\\\\slash\n16385 /mnt/new\\\nline\n16386 /mnt/cr\\\rhere\n"
    let map = try TablespaceMap(parsing: text)
    #expect(map.entries.map(\.path) == ["/mnt/back\\slash", "/mnt/new\nline", "/mnt/cr\rhere"])
  }

  @Test func toleratesCRLFAndBlankLines() throws {
    let map = try TablespaceMap(parsing: "16384 /a\r\n\r\n16385 /b\r\n")
    #expect(map.entries.map(\.oid) == [16384, 16385])
  }

  @Test(arguments: [
    (
      "ts1 /mnt/ts\n",
      "tablespace_map: line 1: expected '<tablespace OID> <path>', found 'ts1 /mnt/ts'"
    ),
    (
      "16384 /a\n16385\n",
      "tablespace_map: line 2: expected '<tablespace OID> <path>', found '16385'"
    ),
    ("16384 \n", "tablespace_map: line 1: expected '<tablespace OID> <path>', found '16384 '"),
    (" /mnt/ts\n", "tablespace_map: line 1: expected '<tablespace OID> <path>', found ' /mnt/ts'"),
    (
      "99999999999 /x\n",
      "tablespace_map: line 1: expected '<tablespace OID> <path>', found '99999999999 /x'"
    ),
    ("16384 /a\n16385 /b", "tablespace_map: line 2: the last line does not end with a newline"),
    ("16384 /a\\", "tablespace_map: line 1: the last line does not end with a newline"),
  ])
  func refusesWhatPostgreSQLRefuses(text: String, message: String) {
    #expect(Self.message(text) == message)
  }
}
