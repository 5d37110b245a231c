import Catalog

/// Writing a `tablespace_map` back out.
extension TablespaceMap {
  /// The characters a path in `tablespace_map` must escape with a backslash (14+).
  static let escapedCharacters: Set<Character> = ["\\", "\n", "\r"]

  /// The file's text: one `<oid> <path>\n` line per entry, with a backslash before every
  /// `\`, newline and carriage return of a path, as PostgreSQL 14+ writes and reads it.
  var text: String {
    entries.map { entry in
      var line = "\(entry.oid) "
      for character in entry.path {
        if Self.escapedCharacters.contains(character) { line.append("\\") }
        line.append(character)
      }
      return line + "\n"
    }.joined()
  }

  /// Whether PostgreSQL 13, which writes paths without escapes, reads ``text`` back as
  /// written: only when no path has a character 14+ escapes.
  var isReadableByPostgreSQL13: Bool {
    entries.allSatisfy { !$0.path.contains { Self.escapedCharacters.contains($0) } }
  }
}
