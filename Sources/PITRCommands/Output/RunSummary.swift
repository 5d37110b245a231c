import Compiler
import Execution
import Foundation
import PlanModel

/// What `pitr apply` says when a run ends: the outcome, the prediction compared with what
/// PostgreSQL logged, each check, and how to reach the restored server.
enum RunSummary {
  static func text(_ report: RunReport, plan: CompiledPlan, drill: DrillRecord?, verb: String = "Restored") -> String {
    var lines: [String] = []
    let destination = plan.destination
    if let drill {
      let place = "in \(drill.directory) on port \(drill.port)"
      switch report.outcome {
      case .promoted: lines.append("Drill: backup \(plan.backup.id) restored \(place); the server was promoted.")
      case .paused: lines.append("Drill: backup \(plan.backup.id) restored \(place); the server paused at the target.")
      case .shutDown:
        lines.append("Drill: backup \(plan.backup.id) restored \(place); the server stopped at the target.")
      case .checksFailed:
        lines.append(
          "Drill: backup \(plan.backup.id) restored \(place); a check failed, the server paused at the target.")
      }
    } else {
      switch report.outcome {
      case .promoted:
        lines.append("\(verb): the server is promoted and accepts writes on port \(destination.port).")
      case .paused:
        lines.append(
          "\(verb): the server is paused at the target, read-only, on port \(destination.port); "
            + "promote it with SELECT pg_promote(), or stop it with pg_ctl stop -D \(destination.dataDirectory).")
      case .shutDown:
        lines.append("\(verb): the server stopped at the target; \(destination.dataDirectory) is ready to start.")
      case .checksFailed:
        lines.append("Not promoted: a check failed; the server is paused at the target on port \(destination.port).")
      }
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
      lines.append(
        "check \(check.passed ? "passed" : "FAILED"): \(check.label)\(check.problem.map { ": \($0)" } ?? "")")
    }
    if let drill {
      lines.append(
        "Drill \(drill.passed ? "passed" : "FAILED"); "
          + (drill.removed
            ? "the server was stopped and \(drill.directory) removed."
            : "the server was stopped, but \(drill.directory) could not be removed: remove it by hand."))
    } else if report.outcome != .shutDown {
      // Where the server listens now: the private socket while it recovers, its own once
      // `finish` handed it over.
      let socket = ServerSocket.directory(of: destination.dataDirectory) ?? destination.stateDirectory
      lines.append(
        "Connect: psql" + (socket.isEmpty ? "" : " -h \(socket)") + " -p \(destination.port)"
          + (destination.osUser.map { " -U \($0)" } ?? ""))
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// Whether a run that ended with `report` succeeded, and why its exit code is what it is.
  static func verdict(_ report: RunReport) -> (code: Int32, reason: String) {
    if let failed = report.checks.first(where: { !$0.passed }) {
      return (1, "check '\(failed.label)' failed" + (failed.problem.map { ": \($0)" } ?? ""))
    }
    if report.outcome == .checksFailed { return (1, "a check failed") }
    if !report.predictionMatched {
      return (1, "PostgreSQL stopped elsewhere than pitr predicted: look at the data before trusting it")
    }
    return (0, "restored: every check passed and PostgreSQL stopped where pitr predicted")
  }
}

/// What a drill did, for its text summary and its JSON report.
struct DrillRecord: Encodable {
  /// The temporary folder the restore went into (inside --drill-directory).
  var directory: String
  var port: Int
  var removed: Bool
  var passed: Bool
}

/// How long one step took (or that an earlier run had done it).
struct StepTime: Encodable {
  var id: String
  var seconds: Double
  var skipped: Bool
}

/// The last line `pitr apply --json` prints, whatever happened: refusals (an invalid plan, a
/// usage error, a stale compiled plan, a held lock), failures and finished runs. Its schema is
/// docs/apply-events.schema.json.
struct FinishedEvent: Encodable {
  struct Prediction: Encodable {
    var matched: Bool
    var logged: String?
    var predicted: String?
  }

  var event = "finished"
  /// promoted, paused, shut-down, checks-failed (the run ended), failed (it stopped on an
  /// error), refused (nothing was restored).
  var outcome: String
  var exitCode: Int32
  var exitReason: String
  var prediction: Prediction?
  var checks: [RunReport.CheckResult]?
  var steps: [StepTime]
  var drill: DrillRecord?
  var diagnostics: [DiagnosticPrinter.Record]?
  /// The server log of a finished run, or the log lines that explain a failure.
  var serverLog: String?
  var time: Double

  init(report: RunReport, steps: [StepTime], drill: DrillRecord?) {
    let (code, reason) = RunSummary.verdict(report)
    outcome = report.outcome.rawValue
    exitCode = code
    exitReason = reason
    prediction = Prediction(
      matched: report.predictionMatched, logged: report.loggedStop, predicted: report.predictedStop)
    checks = report.checks
    self.steps = steps
    self.drill = drill
    serverLog = report.serverLog
    time = Date().timeIntervalSince1970
  }

  init(
    outcome: String, exitCode: Int32, exitReason: String, steps: [StepTime],
    diagnostics: [Diagnostic], drill: DrillRecord?, serverLog: String? = nil
  ) {
    self.outcome = outcome
    self.exitCode = exitCode
    self.exitReason = exitReason
    self.steps = steps
    self.drill = drill
    self.diagnostics = DiagnosticPrinter.records(diagnostics)
    self.serverLog = serverLog
    time = Date().timeIntervalSince1970
  }

  /// One compact line.
  func line() -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    let data = (try? encoder.encode(self)) ?? Data()
    return String(decoding: data, as: UTF8.self) + "\n"
  }
}
