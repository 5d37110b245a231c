/// Lexical path rules: plans compare directories before any of them need exist.
enum PathRules {
  /// Collapses `//`, `.` and `..` and drops a trailing `/`: `/a/./b//c/../` → `/a/b`.
  static func normalize(_ path: String) -> String {
    var parts: [Substring] = []
    for part in path.split(separator: "/", omittingEmptySubsequences: true) {
      switch part {
      case ".": continue
      case "..": if !parts.isEmpty { parts.removeLast() }
      default: parts.append(part)
      }
    }
    return "/" + parts.joined(separator: "/")
  }

  /// Whether `path` is `directory` or lies below it (both normalized).
  static func isSameOrInside(_ path: String, _ directory: String) -> Bool {
    path == directory || directory == "/" || path.hasPrefix(directory + "/")
  }
}
