/// A position in a plan file: 1-based line and column (columns count Unicode scalars).
///
/// Line 0 stands for a file as a whole (a backup's `pg_control`, a WAL segment): such a
/// location prints as just the path.
public struct SourceLocation: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
  /// The file as the user named it (`plans/x.yaml`), not resolved.
  public var file: String
  /// 1-based line number.
  public var line: Int
  /// 1-based column, in Unicode scalars.
  public var column: Int

  public init(file: String, line: Int, column: Int) {
    self.file = file
    self.line = line
    self.column = column
  }

  /// A whole file rather than a position in it.
  public static func file(_ path: String) -> SourceLocation {
    SourceLocation(file: path, line: 0, column: 0)
  }

  /// Whether this stands for a whole file (line 0).
  public var isWholeFile: Bool { line == 0 }

  /// `file:line:column`, as compilers print it; just `file` for a whole file.
  public var description: String { isWholeFile ? file : "\(file):\(line):\(column)" }

  /// Orders by file, then line, then column: file order for diagnostics.
  public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
    (lhs.file, lhs.line, lhs.column) < (rhs.file, rhs.line, rhs.column)
  }
}
