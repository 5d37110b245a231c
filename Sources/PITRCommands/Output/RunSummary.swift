import Compiler
import Execution
import Foundation

/// What `pitr apply` says when a run ends: the outcome, the prediction compared with what
/// PostgreSQL logged, each check, and how to reach the restored server.
enum RunSummary {
  static func text(_ report: RunReport, plan: CompiledPlan, drill: Bool) -> String {
    var lines: [String] = []
    let destination = plan.destination
    switch report.outcome {
    case .promoted:
      lines.append("Restored: the server is promoted and accepts writes on port \(destination.port).")
    case .paused:
      lines.append(
        "Restored: the server is paused at the target, read-only, on port \(destination.port); "
          + "promote it with SELECT pg_promote(), or stop it with pg_ctl stop -D \(destination.dataDirectory).")
    case .shutDown:
      lines.append("Restored: the server stopped at the target; \(destination.dataDirectory) is ready to start.")
    case .checksFailed:
      lines.append("Not promoted: a check failed; the server is paused at the target on port \(destination.port).")
    }
    if let predicted = report.predictedStop {
      if report.predictionMatched {
        lines.append("PostgreSQL stopped where pitr predicted: \(predicted).")
      } else {
        lines.append(
          "PostgreSQL logged \"\(report.loggedStop ?? "no recovery stopping line")\", but pitr "
            + "predicted \"\(predicted)\": look at the data before trusting it.")
      }
    }
    for check in report.checks {
      lines.append("check \(check.passed ? "passed" : "FAILED"): \(check.label)\(check.problem.map { ": \($0)" } ?? "")")
    }
    if drill {
      let passed =
        report.checks.allSatisfy(\.passed) && report.outcome != .checksFailed && report.predictionMatched
      lines.append("Drill \(passed ? "passed" : "FAILED"); the temporary restore was removed.")
    } else if report.outcome != .shutDown {
      lines.append(
        "Connect: psql -h \(destination.stateDirectory) -p \(destination.port)"
          + (destination.osUser.map { " -U \($0)" } ?? ""))
    }
    return lines.joined(separator: "\n") + "\n"
  }

  static func json(_ report: RunReport) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return "{\"event\":\"finished\",\"report\":" + String(decoding: try encoder.encode(report), as: UTF8.self) + "}\n"
  }
}
