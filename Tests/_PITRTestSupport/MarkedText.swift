import PlanModel

/// Text with emoji markers (`1️⃣`, `2️⃣`, …) that stand for positions, so a test can assert
/// where a diagnostic points without counting lines and columns by hand.
///
///     let marked = MarkedText("""
///       port: 1️⃣70000
///       """)
///     marked.text            // "port: 70000"
///     marked.location("1️⃣")  // line 1, column 7
public struct MarkedText {
  /// The text with the markers removed.
  public let text: String
  /// Each marker's position in `text` (1-based line and column, columns in Unicode scalars).
  public let markers: [String: (line: Int, column: Int)]

  public static let markerSymbols = ["1️⃣", "2️⃣", "3️⃣", "4️⃣", "5️⃣", "6️⃣", "7️⃣", "8️⃣", "9️⃣"]

  public init(_ marked: String) {
    var text = ""
    var markers: [String: (Int, Int)] = [:]
    var line = 1
    var column = 1
    var rest = Substring(marked)
    scanning: while !rest.isEmpty {
      for symbol in Self.markerSymbols where rest.hasPrefix(symbol) {
        markers[symbol] = (line, column)
        rest = rest.dropFirst(symbol.count)
        continue scanning
      }
      let character = rest.removeFirst()
      text.append(character)
      if character.isNewline {
        line += 1
        column = 1
      } else {
        column += character.unicodeScalars.count
      }
    }
    self.text = text
    self.markers = markers
  }

  /// The location of a marker in a file of the given name.
  public func location(_ marker: String, file: String) -> SourceLocation? {
    markers[marker].map { SourceLocation(file: file, line: $0.line, column: $0.column) }
  }
}
