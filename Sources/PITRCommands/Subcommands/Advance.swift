import ArgumentParser
import Compiler
import Execution
import Foundation
import PlanLoading
import PlanModel

/// `pitr advance PLAN --to TARGET`: move a restore paused at its target to a later one.
struct Advance: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Move a restore that pitr apply left paused forward to a later target, without restoring again.",
    discussion: """
      TARGET is written KIND=VALUE: time='2025-12-24 17:53:00-07', lsn=0/3007528, xid=740 or \
      name=before_delete, checked by the rules of a plan's target: section (the plan's inclusive and \
      timeline are kept). The destination must hold a finished restore of PLAN whose server \
      runs, paused at its target (action: pause, or promote-if-verified whose checks failed).

      pitr checks the new target against the backups and WAL as pitr plan does (the same \
      prediction), and that it lies after the position the server is paused at \
      (pg_last_wal_replay_lsn()): recovery only moves forward, so an earlier target is \
      refused with the way to restore afresh. Then it stops the server, writes \
      postgresql.auto.conf again whole (the backup's own settings, then pitr's block with \
      the new target), starts it, follows recovery to the new target, runs the plan's checks \
      and its action, and compares where PostgreSQL stopped with the prediction. Nothing is \
      extracted again; the advance is recorded in the restore's journal. pitr plan PLAN \
      --advance-to TARGET shows these steps without running them.

      On a terminal it shows the steps and asks; --yes skips the question and is required \
      when standard input is not a terminal.

      Exit status: 0 advanced (or already at that target) and every check passed; 1 the \
      server is not paused at a target, the advance failed, a check failed, or PostgreSQL \
      stopped elsewhere than predicted; 2 the plan is invalid, TARGET is invalid, unreachable \
      or not after the paused position; 64 usage.
      """
  )

  @Argument(help: "The plan file (YAML) the destination was restored with.")
  var plan: String

  @Option(
    name: .customLong("to"),
    help: ArgumentHelp("The new target: time=…, lsn=…, xid=… or name=….", valueName: "kind=value"))
  var target: String

  @OptionGroup var runOptions: RunOptions

  @OptionGroup var output: OutputOptions

  func run() async throws {
    let pipeline = PlanPipeline(output: output, useCache: !runOptions.noCache)
    let (loaded, source) = try pipeline.load(plan)
    let destination = CompiledPlan.ResolvedDestination(plan: loaded, environment: SystemEnvironment())
    let backup = Journal.load(from: destination.stateDirectory)?.backup
    let compiled = try pipeline.compileAdvance(loaded, source: source, file: plan, to: target, backup: backup)
    let resolver = PlanPipeline.resolver(for: compiled)
    RunStores.endSharedConnectionsAtExit(
      walFolders: compiled.destination.walFolders, spool: compiled.destination.stateDirectory + "/spool")
    let observer = StepTimingObserver(output.json ? JSONRunObserver() : TerminalRunObserver())
    let runner = AdvanceRunner(
      plan: compiled, resolver: resolver, targetArgument: target, planFile: plan, observer: observer,
      timeout: runOptions.timeout)
    let position: RestorePosition
    do {
      switch try runner.check() {
      case .alreadyThere(let here):
        Terminal.write(
          "\(compiled.destination.dataDirectory) is already paused at \(target) (\(here.loggedStop ?? "")); "
            + "nothing to do.\n")
        return
      case .advance(let from):
        position = from
      }
    } catch let backwards as AdvanceRunner.Backwards {
      pipeline.fail(backwards.description)
      throw PITRExitCode.invalidPlan
    } catch {
      pipeline.fail("\(error)")
      throw PITRExitCode.executionFailed
    }
    try confirm(compiled, resolver: resolver, pipeline: pipeline)
    let report: RunReport
    do {
      report = try runner.run(from: position)
    } catch {
      Apply.printFailure(error, json: output.json)
      throw PITRExitCode.executionFailed
    }
    if output.json {
      Terminal.write(FinishedEvent(report: report, steps: observer.steps, drill: nil).line())
    } else {
      Terminal.write(RunSummary.text(report, plan: compiled, drill: nil, verb: "Advanced"))
    }
    let (code, _) = RunSummary.verdict(report)
    guard code == 0 else { throw ExitCode(code) }
  }

  /// On a terminal, shows the steps and asks; without one, `--yes` is required.
  private func confirm(_ compiled: CompiledPlan, resolver: StepResolver, pipeline: PlanPipeline) throws {
    if runOptions.yes { return }
    guard Terminal.isTerminal(STDIN_FILENO) else {
      pipeline.fail(
        "pitr advance needs --yes when standard input is not a terminal (review the steps with pitr plan "
          + "\(plan) --advance-to \(target) first)")
      throw PITRExitCode.usage
    }
    Terminal.writeError(PlanText.render(compiled, resolver: resolver))
    Terminal.writeError(
      "\nRestart the server of \(compiled.destination.dataDirectory) and recover to \(target)? Type yes to go on: ")
    guard readLine()?.trimmingCharacters(in: .whitespaces).lowercased() == "yes" else {
      Terminal.writeError("Nothing was done.\n")
      throw PITRExitCode.executionFailed
    }
  }
}
