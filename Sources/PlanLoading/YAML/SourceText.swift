import PlanModel

/// The text of a plan file, split into lines, for turning offsets into `line:column` and for
/// showing the line a diagnostic points at.
public struct SourceText: Sendable {
  /// The file name used in locations.
  public let file: String
  /// The whole text.
  public let text: String
  /// The lines, without their line breaks.
  public let lines: [Substring]

  /// Wraps text that is already known to be valid.
  public init(file: String, text: String) {
    self.file = file
    self.text = text
    self.lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
  }

  /// Decodes UTF-8 bytes; on invalid bytes returns an error located at the first one.
  public static func decode(file: String, bytes: [UInt8]) -> Result<SourceText, Diagnostic> {
    var line = 1
    var column = 1
    var offset = 0
    var decoder = UTF8()
    var iterator = bytes.makeIterator()
    decoding: while true {
      switch decoder.decode(&iterator) {
      case .scalarValue(let scalar):
        offset += UTF8.width(scalar)
        advance(past: scalar, line: &line, column: &column)
      case .emptyInput:
        break decoding
      case .error:
        let byte = offset < bytes.count ? bytes[offset] : 0
        let hex = String(byte, radix: 16, uppercase: true)
        return .failure(
          .error(
            "the plan is not valid UTF-8 (byte 0x\(hex.count == 1 ? "0" + hex : hex)); "
              + "save it as UTF-8 text",
            at: SourceLocation(file: file, line: line, column: column)))
      }
    }
    return .success(SourceText(file: file, text: String(decoding: bytes, as: UTF8.self)))
  }

  /// The location of a 0-based line and column (as libyaml counts them).
  public func location(line zeroBasedLine: Int, column zeroBasedColumn: Int) -> SourceLocation {
    SourceLocation(file: file, line: zeroBasedLine + 1, column: zeroBasedColumn + 1)
  }

  /// The location of a byte offset into the UTF-8 text.
  public func location(ofByteOffset byteOffset: Int) -> SourceLocation {
    var line = 1
    var column = 1
    var offset = 0
    for scalar in text.unicodeScalars {
      if offset >= byteOffset { break }
      offset += UTF8.width(scalar)
      Self.advance(past: scalar, line: &line, column: &column)
    }
    return SourceLocation(file: file, line: line, column: column)
  }

  /// The 1-based line and column after `scalar`.
  private static func advance(past scalar: Unicode.Scalar, line: inout Int, column: inout Int) {
    if scalar == "\n" {
      line += 1
      column = 1
    } else {
      column += 1
    }
  }

  /// The text of a 1-based line, if it exists.
  public func line(_ number: Int) -> Substring? {
    lines.indices.contains(number - 1) ? lines[number - 1] : nil
  }

  /// The Unicode scalar at a location, if there is one.
  public func scalar(at location: SourceLocation) -> Unicode.Scalar? {
    guard let line = line(location.line) else { return nil }
    let scalars = line.unicodeScalars
    guard location.column >= 1, location.column <= scalars.count else { return nil }
    return scalars[scalars.index(scalars.startIndex, offsetBy: location.column - 1)]
  }

  /// The source text from one location up to (not including) another, lines joined by `\n`.
  public func slice(from start: SourceLocation, to end: SourceLocation) -> [(
    scalar: Unicode.Scalar, location: SourceLocation
  )] {
    var result: [(Unicode.Scalar, SourceLocation)] = []
    guard start.line >= 1 else { return result }
    var lineNumber = start.line
    while lineNumber <= min(end.line, lines.count) {
      let scalars = Array(lines[lineNumber - 1].unicodeScalars)
      let first = lineNumber == start.line ? start.column - 1 : 0
      let last = lineNumber == end.line ? min(end.column - 1, scalars.count) : scalars.count
      if first < last {
        for index in first..<last {
          result.append(
            (scalars[index], SourceLocation(file: file, line: lineNumber, column: index + 1)))
        }
      }
      if lineNumber != end.line {
        result.append(
          ("\n", SourceLocation(file: file, line: lineNumber, column: scalars.count + 1)))
      }
      lineNumber += 1
    }
    return result
  }
}
