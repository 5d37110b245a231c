/// The `tablespace_map` file of a tar-format base backup: where each tablespace's link in
/// `pg_tblspc/` pointed.
///
/// One line per tablespace, `<oid> <absolute path>\n`; the separator is exactly one space
/// and the path may contain spaces. Since 14, a backslash precedes `\n`, `\r` and `\` inside
/// the path; a backslash escapes whatever follows it, as PostgreSQL reads it. (13 wrote paths
/// unescaped, so a 13 path with a backslash reads differently: such paths are rare.)
/// An empty file, as pg_basebackup writes without tablespaces, has no entries.
public struct TablespaceMap: Hashable, Sendable {
  /// One tablespace.
  public struct Entry: Hashable, Sendable {
    /// The tablespace's OID, the name of its link in `pg_tblspc/`.
    public var oid: UInt32
    /// The directory the link pointed to, unescaped.
    public var path: String

    public init(oid: UInt32, path: String) {
      self.oid = oid
      self.path = path
    }
  }

  public var entries: [Entry]

  public init(entries: [Entry]) { self.entries = entries }

  /// Parses the text of a tablespace_map file.
  ///
  /// Like PostgreSQL, refuses a last line without its newline and a line that is not an OID,
  /// one space and a non-empty path.
  public init(parsing text: String) throws(CatalogFormatError) {
    entries = []
    var line: [UInt8] = []
    var lineNumber = 1
    var entryLine = 1
    var escaped = false
    for byte in text.utf8 {
      if !escaped, byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
        if !line.isEmpty {
          entries.append(try Self.entry(line, lineNumber: entryLine))
          line.removeAll(keepingCapacity: true)
        }
      } else if !escaped, byte == UInt8(ascii: "\\") {
        escaped = true
      } else {
        if line.isEmpty { entryLine = lineNumber }
        line.append(byte)
        escaped = false
      }
      if byte == UInt8(ascii: "\n") { lineNumber += 1 }
    }
    guard line.isEmpty, !escaped else {
      throw CatalogFormatError(
        .tablespaceMap, line: entryLine,
        .invalidContent("the last line does not end with a newline"))
    }
  }

  private static func entry(_ line: [UInt8], lineNumber: Int) throws(CatalogFormatError) -> Entry {
    let space = line.firstIndex(of: UInt8(ascii: " ")) ?? line.endIndex
    let digits = line[..<space]
    let oid =
      digits.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
      ? UInt32(String(decoding: digits, as: UTF8.self)) : nil
    guard let oid, space + 1 < line.endIndex else {
      throw CatalogFormatError(
        .tablespaceMap, line: lineNumber,
        .invalidContent(
          "expected '<tablespace OID> <path>', found '\(String(decoding: line, as: UTF8.self))'"))
    }
    return Entry(oid: oid, path: String(decoding: line[(space + 1)...], as: UTF8.self))
  }
}
