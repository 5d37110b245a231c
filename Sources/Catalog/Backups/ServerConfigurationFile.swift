/// Reads `postgresql.conf`-style files (`name = value`, `#` comments, single-quoted values)
/// well enough to learn a setting, such as the `timezone` a backup's server ran with.
///
/// `include` directives are not followed: a value set only in an included file is not seen.
enum ServerConfigurationFile {
  /// The settings in `text`, lower-cased names, the last assignment of each winning.
  static func settings(in text: String) -> [String: String] {
    var settings: [String: String] = [:]
    for rawLine in text.split(whereSeparator: \.isNewline) {
      var line = Substring(rawLine).drop(while: \.isWhitespace)
      guard let first = line.first, first != "#" else { continue }
      let name = line.prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }
      guard !name.isEmpty else { continue }
      line = line.dropFirst(name.count).drop(while: \.isWhitespace)
      if line.first == "=" { line = line.dropFirst().drop(while: \.isWhitespace) }
      guard let value = parseValue(line) else { continue }
      settings[name.lowercased()] = value
    }
    return settings
  }

  /// A quoted value (`'America/Phoenix'`, `''` or `\'` for a quote) or a bare word.
  private static func parseValue(_ text: Substring) -> String? {
    if text.first == "'" {
      var value = ""
      var rest = text.dropFirst()
      while let character = rest.first {
        rest = rest.dropFirst()
        if character == "'" {
          if rest.first == "'" {
            value.append("'")
            rest = rest.dropFirst()
          } else {
            return value
          }
        } else if character == "\\", let escaped = rest.first {
          value.append(escaped)
          rest = rest.dropFirst()
        } else {
          value.append(character)
        }
      }
      return nil
    }
    let word = text.prefix { !$0.isWhitespace && $0 != "#" }
    return word.isEmpty ? nil : String(word)
  }
}
