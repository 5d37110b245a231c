import ArgumentParser
import Compiler
import Execution
import Foundation

/// `pitr status PLAN`: where a restore stands.
struct Status: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Show where a restore stands: its journal, its server, replay against the target.",
    discussion: """
      Reads the journal pitr apply keeps in DATA_DIRECTORY.pitr (which steps are done, which \
      failed and why, which was interrupted, which done step's output is gone), and when the restored server runs, asks it whether it is still \
      recovering, paused or promoted, and how far it has replayed, next to where pitr \
      predicted it would stop. It works even when the plan no longer compiles (the backups \
      changed since), from the plan's destination alone.

      Nothing is written. Exit status: 0 (also when no restore ran yet); 2 when PLAN is not \
      a valid plan; 64 when PLAN cannot be read.
      """
  )

  @Argument(help: "The plan file (YAML).")
  var plan: String

  @OptionGroup var output: OutputOptions

  func run() async throws {
    var quiet = output
    quiet.json = false
    let pipeline = PlanPipeline(output: quiet, useCache: true)
    let (loaded, source) = try pipeline.load(plan)
    // The prediction when the plan still compiles; the destination alone otherwise.
    let compiled = pipeline.compile(loaded, source: source).compiled
    let destination =
      compiled?.destination
      ?? CompiledPlan.ResolvedDestination(plan: loaded, environment: SystemEnvironment())
    let resolver = PlanPipeline.resolver(for: destination)
    let status = RestoreStatus.read(
      destination: destination, planHash: PlanCompiler.planHash(of: source.text), resolver: resolver)
    if output.json {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
      encoder.dateEncodingStrategy = .iso8601
      Terminal.write(String(decoding: try encoder.encode(status), as: UTF8.self) + "\n")
    } else {
      Terminal.write(Self.describe(status, destination: destination, prediction: compiled?.prediction))
    }
  }

  static func describe(
    _ status: RestoreStatus, destination: CompiledPlan.ResolvedDestination, prediction: Prediction?
  ) -> String {
    var lines = ["Restore into \(destination.dataDirectory) (port \(destination.port))"]
    guard let journal = status.journal else {
      lines.append("  no restore has run into it: there is no journal in \(destination.stateDirectory)")
      return lines.joined(separator: "\n") + "\n"
    }
    if !status.journalMatchesPlan {
      lines.append("  the journal belongs to another plan, or to an earlier version of this one")
    }
    // Steps after one whose output is gone are done again by pitr apply: not counted.
    let redoIndex = status.redo.flatMap { redo in journal.steps.firstIndex { $0.id == redo.step } }
    let counted = journal.steps.prefix(redoIndex ?? journal.steps.count)
    let done = counted.filter { $0.status == .done }.count
    lines.append("  steps: \(done) of \(journal.steps.count) done")
    for step in counted where step.status == .failed || step.status == .running {
      if step.status == .running, status.applyProcess == nil {
        lines.append(
          "  \(step.id): interrupted (the pitr apply running it is gone); run pitr apply again to resume")
      } else {
        lines.append("  \(step.id): \(step.status.rawValue)" + (step.message.map { ": \($0)" } ?? ""))
      }
    }
    for advance in journal.advances ?? [] {
      let how =
        advance.status == .running && status.applyProcess == nil ? "interrupted" : advance.status.rawValue
      lines.append(
        "  advanced to \(advance.target) (pitr advance): \(how)" + (advance.fromLSN.map { ", from \($0)" } ?? "")
          + (advance.status == .failed ? advance.message.map { ": \($0)" } ?? "" : ""))
    }
    if let redo = status.redo {
      lines.append(
        "  \(redo.step): was done, but \(redo.missing); pitr apply redoes the restore from this step")
    }
    let server = status.server
    if !server.running {
      lines.append("  server: not running")
    } else if let problem = server.problem {
      lines.append("  server: running, but did not answer: \(problem)")
    } else if server.inRecovery == true {
      let state = server.pauseState == "paused" ? "paused" : "recovering"
      var text = "  server: running, \(state), replayed up to \(server.replayLSN ?? "?")"
      if let stop = prediction?.stopLSN, journal.advances == nil { text += "; pitr predicted the stop at \(stop)" }
      lines.append(text)
    } else {
      lines.append("  server: running, promoted (accepts writes)")
    }
    if let stop = status.loggedStop { lines.append("  PostgreSQL logged: \(stop)") }
    if let failure = status.failure { lines.append("  \(failure)") }
    return lines.joined(separator: "\n") + "\n"
  }
}
