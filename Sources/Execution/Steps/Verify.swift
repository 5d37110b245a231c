import Compiler
import PlanModel

/// `verify`: runs the plan's checks over libpq once the target is reached, and records
/// each result in the report (`promote` reads them).
struct Verify {
  let payload: StepAction.Verify

  func run(_ step: Step, in context: StepContext) throws {
    let server = RestoredServer(connection: payload.connection, resolver: context.resolver)
    var results: [RunReport.CheckResult] = []
    for check in payload.checks {
      let result = Self.run(check, on: server)
      context.observer.note(
        "check \(result.passed ? "passed" : "FAILED"): \(check.label)" + (result.problem.map { ": \($0)" } ?? ""))
      results.append(result)
    }
    context.updateReport { $0.checks = results }
  }

  static func run(_ check: VerificationCheck, on server: RestoredServer) -> RunReport.CheckResult {
    var result = RunReport.CheckResult(label: check.label, passed: false, actual: [], problem: nil)
    do {
      let rows = try server.connect(database: check.database.value).query(check.sql.value)
      result.actual = rows
      switch check.expectation.value {
      case .value(let expected):
        result.passed = rows.count == 1 && rows[0].count == 1 && rows[0][0] == expected
        if !result.passed {
          result.problem = "expected \(expected.map { "'\($0)'" } ?? "NULL"), got \(describe(rows))"
        }
      case .rows(let expected):
        result.passed = rows == expected
        if !result.passed { result.problem = "expected \(describe(expected)), got \(describe(rows))" }
      }
    } catch {
      result.problem = "\(error)"
    }
    return result
  }

  static func describe(_ rows: [[String?]]) -> String {
    rows.isEmpty
      ? "no rows"
      : rows.prefix(5).map { "(" + $0.map { $0.map { "'\($0)'" } ?? "NULL" }.joined(separator: ", ") + ")" }
        .joined(separator: ", ") + (rows.count > 5 ? ", … (\(rows.count) rows)" : "")
  }
}
