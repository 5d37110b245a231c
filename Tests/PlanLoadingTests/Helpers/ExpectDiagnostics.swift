import PlanLoading
import PlanModel
import Testing
import _PITRTestSupport

/// The file name marked plans are loaded under.
let testFile = "plans/test.yaml"

/// An expected diagnostic: where (a marker) and the exact message; notes are checked when given.
struct ExpectedDiagnostic: CustomStringConvertible {
  var marker: String
  var message: String
  var severity: Diagnostic.Severity = .error
  var notes: [String]?

  static func error(_ marker: String, _ message: String, notes: [String]? = nil) -> Self {
    ExpectedDiagnostic(marker: marker, message: message, severity: .error, notes: notes)
  }

  var description: String { "\(marker) \(severity): \(message)" }
}

/// Loads marked YAML and checks that it produces exactly the expected diagnostics, in order.
@discardableResult
func expectDiagnostics(
  _ marked: String, environment: [String: String] = [:], _ expected: [ExpectedDiagnostic],
  sourceLocation: Testing.SourceLocation = #_sourceLocation
) -> PlanLoader.Result {
  let text = MarkedText(marked)
  let result = PlanLoader(environment: environment).load(bytes: Array(text.text.utf8), file: testFile)
  let actual = result.diagnostics
  for (index, expectation) in expected.enumerated() {
    guard index < actual.count else {
      Issue.record("missing diagnostic: \(expectation)", sourceLocation: sourceLocation)
      continue
    }
    let diagnostic = actual[index]
    #expect(diagnostic.message == expectation.message, sourceLocation: sourceLocation)
    #expect(diagnostic.severity == expectation.severity, sourceLocation: sourceLocation)
    #expect(
      diagnostic.location == text.location(expectation.marker, file: testFile),
      "position of: \(expectation.message)", sourceLocation: sourceLocation)
    if let notes = expectation.notes {
      #expect(diagnostic.notes.map(\.message) == notes, sourceLocation: sourceLocation)
    }
  }
  for extra in actual.dropFirst(expected.count) {
    Issue.record(
      "unexpected diagnostic: \(extra.location.map { "\($0): " } ?? "")\(extra.message)",
      sourceLocation: sourceLocation)
  }
  if expected.isEmpty {
    #expect(result.plan != nil, "a plan without diagnostics builds", sourceLocation: sourceLocation)
  } else if expected.contains(where: { $0.severity == .error }) {
    #expect(result.plan == nil, "a plan with errors does not build", sourceLocation: sourceLocation)
  }
  return result
}

/// Loads YAML that must be valid and returns its plan.
func loadValidPlan(
  _ yaml: String, environment: [String: String] = [:], file: String = testFile,
  sourceLocation: Testing.SourceLocation = #_sourceLocation
) -> Plan? {
  let result = PlanLoader(environment: environment).load(bytes: Array(yaml.utf8), file: file)
  for diagnostic in result.diagnostics {
    Issue.record(
      "unexpected diagnostic: \(diagnostic.location.map { "\($0): " } ?? "")\(diagnostic.message)",
      sourceLocation: sourceLocation)
  }
  return result.plan
}
