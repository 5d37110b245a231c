import PlanModel

/// Why a check failed: the message (what is wrong, and what would work instead) and notes.
/// The compiler turns it into a diagnostic located at the plan key it concerns.
struct CompileProblem: Error, Hashable {
  var message: String
  var notes: [String]

  init(_ message: String, notes: [String] = []) {
    self.message = message
    self.notes = notes
  }

  func diagnostic(at location: SourceLocation, severity: Diagnostic.Severity = .error) -> Diagnostic {
    Diagnostic(severity, message, at: location, notes: notes.map { .init($0) })
  }
}
