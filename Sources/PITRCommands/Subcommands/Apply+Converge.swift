import ArgumentParser
import Compiler
import Execution
import Foundation
import PlanLoading
import PlanModel

/// Applying a plan twice converges: a destination already at the plan's target is left
/// alone, and a paused restore whose position the plan's (later) target lies after is
/// offered `pitr advance` instead of a refusal of the non-empty directory.
extension Apply {
  /// What a finished restore in the destination means for this apply.
  enum Convergence {
    /// Nothing to do; the sentence says why.
    case unchanged(String)
    /// Refused: the plan's target is later than the paused restore; the sentence gives the
    /// `pitr advance` command.
    case offerAdvance(String)
  }

  /// Looks at the destination's journal and server before compiling; nil: apply as usual.
  static func convergence(of plan: Plan, source: SourceText, file: String, pipeline: PlanPipeline) -> Convergence? {
    let destination = CompiledPlan.ResolvedDestination(plan: plan, environment: SystemEnvironment())
    guard let journal = Journal.load(from: destination.stateDirectory), journal.isFinished else { return nil }
    let data = destination.dataDirectory
    let position = RestorePosition.read(destination: destination, resolver: PlanPipeline.resolver(for: destination))
    if journal.planHash == PlanCompiler.planHash(of: source.text) {
      if let advance = journal.lastAdvance {
        return .unchanged(
          "\(data) holds the restore of \(file), advanced since with pitr advance to \(advance.target)"
            + (position.running && position.paused == true ? " (paused there)" : "") + "; nothing to do")
      }
      // At the target the plan predicts (a log saying otherwise is reported by resuming).
      guard position.isAtTarget(of: plan.action.value),
        let compiled = quietly(pipeline).compileWithCatalog(plan, source: source).compilation.compiled,
        compiled.prediction.stopMessage == nil
          || RecoveryStop.sameStop(position.loggedStop, compiled.prediction.stopMessage)
      else { return nil }
      let state =
        switch plan.action.value {
        case .pause: "paused at the target"
        case .promote: "promoted"
        case .promoteIfVerified: position.inRecovery == false ? "promoted" : "paused at the target"
        case .shutdown: "shut down at the target"
        }
      return .unchanged("\(data) already holds the restore of \(file), its server \(state); nothing to do")
    }
    guard position.running, position.inRecovery == true, position.paused == true,
      let argument = AdvanceTarget.argument(for: plan.target.kind.value),
      let replayed = position.replayLSN
    else { return nil }
    // The plan's target, compiled as an advance of this restore (quietly: apply reports the
    // plan's own problems below if it is not advanced).
    var moved = plan
    if let backup = journal.backup { moved.backups.select = Located(.id(backup), at: plan.backups.select.location) }
    guard
      let compiled = quietly(pipeline).compileWithCatalog(moved, source: source, advancing: true).compilation.compiled,
      let stop = compiled.prediction.stopLSN, stop >= replayed,
      !(position.loggedStop != nil && RecoveryStop.sameStop(position.loggedStop, compiled.prediction.stopMessage))
    else { return nil }
    let command = StepResolver.shellText(["pitr", "advance", file, "--to", argument])
    return .offerAdvance(
      "\(data) holds a restore paused at \(replayed)"
        + (position.loggedStop.map { " (\($0))" } ?? "")
        + "; this plan's target is later: move it forward without restoring again with: \(command)")
  }

  /// The pipeline keeping nothing it prints (its compile prints nothing by itself).
  private static func quietly(_ pipeline: PlanPipeline) -> PlanPipeline {
    var quiet = pipeline
    quiet.collector = nil
    return quiet
  }

  /// Ends the run as the convergence says: exit 0 for nothing to do, 2 for the advance offer.
  func converge(_ convergence: Convergence, pipeline: PlanPipeline) throws {
    switch convergence {
    case .unchanged(let message):
      if output.json {
        Terminal.write(
          FinishedEvent(
            outcome: "unchanged", exitCode: 0, exitReason: message, steps: [], diagnostics: [], drill: nil
          ).line())
      } else {
        Terminal.write(message + ".\n")
      }
    case .offerAdvance(let message):
      pipeline.fail(message)
      throw ApplyFailure.refused(PITRExitCode.invalidPlan, message)
    }
  }
}
