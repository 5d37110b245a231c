import Catalog
import Compiler
import Execution
import Foundation
import PlanLoading
import PlanModel

/// Load a plan, catalogue its backups and compile it: what `validate`, `plan` and `apply`
/// share. Problems are printed where they belong and end the command with the right code.
struct PlanPipeline {
  let output: OutputOptions
  let useCache: Bool
  /// Also keeps every diagnostic and error printed (`pitr apply --json` repeats them in its
  /// final event on standard output).
  var collector: DiagnosticCollector? = nil

  /// The loaded plan and its source text; prints the plan's diagnostics and throws exit 2 (or
  /// 64 for an unreadable file) when it is invalid.
  func load(_ path: String) throws -> (Plan, SourceText) {
    let result: PlanLoader.Result
    do {
      result = try PlanLoader().load(contentsOf: path)
    } catch let error as PlanLoader.FileError {
      fail(error.description)
      throw PITRExitCode.usage
    }
    guard let plan = result.plan, let source = result.source else {
      report(result.diagnostics, source: result.source, file: path)
      throw PITRExitCode.invalidPlan
    }
    return (plan, source)
  }

  /// Refuses a plan whose repository is in S3 or over SSH (this build reads only folders on
  /// this machine), with an error at each such key, before anything reads the archive.
  func requireReadableLocations(_ plan: Plan, source: SourceText?, file: String) throws {
    var problems = PlanCompiler.unreadableLocations(plan.backups)
    if problems.isEmpty { problems = RunStores.prepare(RunStores.locations(of: plan.backups), s3: plan.backups.s3) }
    guard !problems.isEmpty else { return }
    report(problems, source: source, file: file)
    throw PITRExitCode.invalidPlan
  }

  /// Compiles a loaded plan against its repository, on this machine.
  /// `switchedSourceSegment` is what the source WAL switch `pitr apply` ran first archived
  /// (the compiled plan records it).
  func compile(_ plan: Plan, source: SourceText, switchedSourceSegment: String? = nil) -> PlanCompiler.Compilation {
    compileWithCatalog(plan, source: source, switchedSourceSegment: switchedSourceSegment).compilation
  }

  /// `compile`, also returning the catalog it compiled against (nil when a folder is missing).
  func compileWithCatalog(
    _ plan: Plan, source: SourceText, switchedSourceSegment: String? = nil, advancing: Bool = false
  ) -> PlanCompiler.Outcome {
    // S3 is refused (by the compiler) before any host is reached.
    let unreachable =
      PlanCompiler.unreadableLocations(plan.backups).isEmpty
      ? RunStores.prepare(RunStores.locations(of: plan.backups), s3: plan.backups.s3) : []
    if !unreachable.isEmpty {
      return PlanCompiler.Outcome(
        compilation: PlanCompiler.Compilation(diagnostics: unreachable, compiled: nil), catalog: nil)
    }
    return PlanCompiler.compile(
      plan, planText: source.text, environment: SystemEnvironment(), useCache: useCache,
      switchedSourceSegment: switchedSourceSegment, advancing: advancing)
  }

  /// The plan compiled for `pitr advance --to TARGET` (or `pitr plan --advance-to`): the
  /// target replaced (checked as a plan's), the backup the destination was restored from
  /// kept, and the advance's steps; diagnostics printed, exit 2 when it does not compile.
  func compileAdvance(_ plan: Plan, source: SourceText, file: String, to argument: String, backup: String?) throws
    -> CompiledPlan
  {
    let (target, problems) = AdvanceTarget.parse(argument, keeping: plan.target)
    report(problems, source: nil, file: "--to")
    guard let target else { throw PITRExitCode.invalidPlan }
    var moved = plan
    moved.target = target
    if let backup { moved.backups.select = Located(.id(backup), at: plan.backups.select.location) }
    let outcome = compileWithCatalog(moved, source: source, advancing: true)
    report(outcome.compilation.diagnostics, source: source, file: file)
    guard let compiled = outcome.compilation.compiled else { throw PITRExitCode.invalidPlan }
    return compiled
  }

  /// `compileWithCatalog`, with the diagnostics printed; throws exit 2 when the plan does not
  /// compile. What `validate`, `plan` and `demo` do with a loaded plan.
  func compileReporting(_ plan: Plan, source: SourceText, file: String) throws
    -> (compiled: CompiledPlan, catalog: Catalog?)
  {
    let outcome = compileWithCatalog(plan, source: source)
    report(outcome.compilation.diagnostics, source: source, file: file)
    guard let compiled = outcome.compilation.compiled else { throw PITRExitCode.invalidPlan }
    return (compiled, outcome.catalog)
  }

  /// A compiled plan written by `pitr plan --format json`, checked not to be stale: its plan
  /// file compiles again to the same plan hash and the same catalog fingerprint.
  func loadCompiled(_ path: String) throws -> CompiledPlan {
    let stored: CompiledPlan
    do {
      stored = try CompiledPlanFile.decode(Data(contentsOf: URL(fileURLWithPath: path)))
    } catch {
      fail("\(path) is not a compiled plan pitr can read: \(CompiledPlanFile.describe(error))")
      throw PITRExitCode.usage
    }
    let (plan, source) = try load(stored.planFile)
    let compilation = compile(plan, source: source)
    guard let fresh = compilation.compiled else {
      report(compilation.diagnostics, source: source, file: stored.planFile)
      fail("\(path) is stale: its plan \(stored.planFile) no longer compiles")
      throw PITRExitCode.invalidPlan
    }
    if let reason = Self.staleness(of: stored, comparedWith: fresh) {
      fail(
        "\(path) is stale: \(reason); run pitr plan \(stored.planFile) --format json again "
          + "and review it")
      throw PITRExitCode.invalidPlan
    }
    return stored
  }

  /// Why a stored compiled plan no longer matches what its plan compiles to now, if it does not.
  static func staleness(of stored: CompiledPlan, comparedWith fresh: CompiledPlan) -> String? {
    if stored.planHash != fresh.planHash { return "\(stored.planFile) changed since it was compiled" }
    if stored.catalogFingerprint != fresh.catalogFingerprint {
      return "the backups or WAL it relies on changed since it was compiled"
    }
    if stored != fresh {
      return "compiling \(stored.planFile) now gives different steps (another pitr, or another machine)"
    }
    return nil
  }

  /// Prints diagnostics (text to standard error, or JSON to standard output).
  func report(_ diagnostics: [Diagnostic], source: SourceText?, file: String) {
    collector?.diagnostics += diagnostics
    if output.json {
      Terminal.write(DiagnosticPrinter.json(diagnostics))
      return
    }
    let printer = DiagnosticPrinter(useColor: Terminal.usesColor(output.color))
    Terminal.writeError(printer.render(diagnostics, source: source))
    if diagnostics.hasErrors {
      Terminal.writeError(Validate.tally(diagnostics, file: file))
    }
  }

  /// Prints `pitr: error: MESSAGE` on standard error (and keeps it, with a collector).
  func fail(_ message: String) {
    Terminal.writeError("pitr: error: \(message)\n")
    collector?.diagnostics.append(.error(message, at: nil))
  }

  /// The resolver the dry run and the executor share.
  static func resolver(for plan: CompiledPlan) -> StepResolver { resolver(for: plan.destination) }

  /// The same from a destination alone (`pitr status` of a plan that no longer compiles).
  static func resolver(for destination: CompiledPlan.ResolvedDestination) -> StepResolver {
    let system = SystemEnvironment()
    return StepResolver(
      pitrExecutable: system.pitrExecutable, binDirectory: destination.binDirectory,
      serverUser: system.isRoot ? destination.osUser : nil)
  }
}

/// The diagnostics and errors a command printed, kept to be repeated as JSON.
final class DiagnosticCollector {
  var diagnostics: [Diagnostic] = []
}
