/// Quoting for `postgresql.auto.conf` and for the shell, so that no plan value can add a line
/// or a command.
enum ConfigurationValue {
  /// `'value'` with `'` doubled and `\` escaped, as PostgreSQL's configuration parser reads
  /// quoted strings. Values never hold line breaks (the loader refuses them); this refuses
  /// them again rather than write one.
  static func quoted(_ value: String) -> String? {
    guard !value.contains(where: { $0 == "\n" || $0 == "\r" || $0 == "\0" }) else { return nil }
    return "'" + value.replacingOccurrences("\\", "\\\\").replacingOccurrences("'", "''") + "'"
  }

  /// A word for `/bin/sh`: left bare when it is plainly safe, else single-quoted.
  static func shellWord(_ word: String) -> String {
    let safe = word.allSatisfy { $0.isLetter || $0.isNumber || "/._-%=:,+@".contains($0) }
    if safe && !word.isEmpty { return word }
    return "'" + word.replacingOccurrences("'", "'\\''") + "'"
  }
}

extension String {
  fileprivate func replacingOccurrences(_ target: String, _ replacement: String) -> String {
    var result = ""
    var rest = self[...]
    while let range = rest.range(of: target) {
      result += rest[..<range.lowerBound] + replacement
      rest = rest[range.upperBound...]
    }
    return result + rest
  }
}
