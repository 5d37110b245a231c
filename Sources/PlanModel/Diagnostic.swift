/// A problem found in a plan (or, later, in the catalog or during a run).
///
/// Diagnostics are collected, not thrown: a loader reports every problem of a file in one run.
public struct Diagnostic: Hashable, Sendable, Codable {
  /// How serious it is.
  public enum Severity: String, Hashable, Sendable, Codable, Comparable {
    case note, warning, error

    private var rank: Int {
      switch self {
      case .note: 0
      case .warning: 1
      case .error: 2
      }
    }

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
  }

  /// Extra information printed after the diagnostic: a suggestion, or where a related value is.
  public struct Note: Hashable, Sendable, Codable {
    public var message: String
    public var location: SourceLocation?

    public init(_ message: String, at location: SourceLocation? = nil) {
      self.message = message
      self.location = location
    }
  }

  public var severity: Severity
  /// One sentence, lower-case start, no final period; says what is wrong and, where it can,
  /// what would work instead.
  public var message: String
  /// Where it is; `nil` for problems that are not in a file.
  public var location: SourceLocation?
  public var notes: [Note]

  public init(
    _ severity: Severity, _ message: String, at location: SourceLocation?, notes: [Note] = []
  ) {
    self.severity = severity
    self.message = message
    self.location = location
    self.notes = notes
  }

  public static func error(_ message: String, at location: SourceLocation?, notes: [Note] = [])
    -> Diagnostic
  {
    Diagnostic(.error, message, at: location, notes: notes)
  }

  public static func warning(_ message: String, at location: SourceLocation?, notes: [Note] = [])
    -> Diagnostic
  {
    Diagnostic(.warning, message, at: location, notes: notes)
  }
}

extension Array where Element == Diagnostic {
  /// Whether any of them is an error.
  public var hasErrors: Bool { contains { $0.severity == .error } }

  /// Sorted into file order (stable for diagnostics at the same position); unlocated ones last.
  public func inFileOrder() -> [Diagnostic] {
    enumerated().sorted { left, right in
      switch (left.element.location, right.element.location) {
      case (let l?, let r?) where l != r: return l < r
      case (nil, _?): return false
      case (_?, nil): return true
      default: return left.offset < right.offset
      }
    }.map(\.element)
  }
}

/// A single diagnostic can be thrown where one problem ends the work (an unreadable file).
extension Diagnostic: Error {}
