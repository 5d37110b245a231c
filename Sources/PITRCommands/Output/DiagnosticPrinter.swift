import Foundation
import PlanLoading
import PlanModel

/// Prints diagnostics the way the Swift compiler does:
///
///     plans/x.yaml:12:5: error: unknown key 'prot' in 'destination'
///       prot: 5599
///       ^
///     note: did you mean 'port'?
///
/// Colour only when asked (a terminal, by default); `--json` prints a JSON array instead.
public struct DiagnosticPrinter {
  public var useColor: Bool

  public init(useColor: Bool) { self.useColor = useColor }

  /// The text for some diagnostics; `source` supplies the lines they point at.
  public func render(_ diagnostics: [Diagnostic], source: SourceText?) -> String {
    diagnostics.map { render($0, source: source) }.joined()
  }

  public func render(_ diagnostic: Diagnostic, source: SourceText?) -> String {
    var text = header(diagnostic.severity, diagnostic.message, at: diagnostic.location)
    if let location = diagnostic.location, let source, source.file == location.file,
      let excerpt = source.line(location.line)
    {
      // The line is printed, and pasted into tickets: never with a password in it.
      let line = Substring(SecretMask.masked(excerpt))
      text += "  " + line + "\n"
      text += "  " + caretPadding(line, column: location.column) + paint("^", .green) + "\n"
    }
    for note in diagnostic.notes {
      text += header(.note, note.message, at: note.location)
    }
    return text
  }

  /// `file:line:column: error: message` (or `pitr: error: message` without a location).
  private func header(_ severity: Diagnostic.Severity, _ message: String, at location: SourceLocation?)
    -> String
  {
    let place = location.map { "\($0): " } ?? (severity == .note ? "" : "pitr: ")
    let label: String =
      switch severity {
      case .error: paint("error:", .red)
      case .warning: paint("warning:", .magenta)
      case .note: paint("note:", .cyan)
      }
    return paint(place, .bold) + label + " " + paint(message, .bold) + "\n"
  }

  /// Spaces (and the line's own tabs) up to the column, so the caret lines up.
  private func caretPadding(_ line: Substring, column: Int) -> String {
    String(line.unicodeScalars.prefix(max(0, column - 1)).map { $0 == "\t" ? "\t" : " " })
  }

  private enum Style: String {
    case bold = "1"
    case red = "1;31"
    case green = "1;32"
    case magenta = "1;35"
    case cyan = "1;36"
  }

  private func paint(_ text: String, _ style: Style) -> String {
    guard useColor, !text.isEmpty else { return text }
    return "\u{1B}[\(style.rawValue)m\(text)\u{1B}[0m"
  }

  // MARK: - JSON

  /// One diagnostic as `--json` prints it.
  struct Record: Encodable {
    struct NoteRecord: Encodable {
      var message: String
      var file: String?
      var line: Int?
      var column: Int?
    }

    var file: String?
    var line: Int?
    var column: Int?
    var severity: String
    var message: String
    var notes: [NoteRecord]
  }

  /// The diagnostics as a JSON array (sorted keys, ending in a newline).
  public static func json(_ diagnostics: [Diagnostic]) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    let data = (try? encoder.encode(records(diagnostics))) ?? Data("[]".utf8)
    return String(decoding: data, as: UTF8.self) + "\n"
  }

  /// The diagnostics as the records `--json` prints.
  static func records(_ diagnostics: [Diagnostic]) -> [Record] {
    diagnostics.map { diagnostic in
      Record(
        file: diagnostic.location?.file, line: diagnostic.location?.line,
        column: diagnostic.location?.column, severity: diagnostic.severity.rawValue,
        message: diagnostic.message,
        notes: diagnostic.notes.map {
          .init(
            message: $0.message, file: $0.location?.file, line: $0.location?.line,
            column: $0.location?.column)
        })
    }
  }
}
