import ArgumentParser
import Compiler
import Execution
import Foundation
import PlanLoading
import PlanModel

/// `pitr apply PLAN|COMPILED.json`: run a restore.
struct Apply: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Restore: run the steps of a plan (or of a compiled plan from pitr plan --format json).",
    discussion: """
      Compiles PLAN (or re-checks COMPILED.json: when the plan file or the backups and WAL it \
      relies on changed since it was written, it is stale and refused), then runs its steps: \
      extract the base backup (each file checked against backup_manifest), write the pitr \
      block of postgresql.auto.conf and recovery.signal, start PostgreSQL, follow recovery to \
      the target, run the checks, apply the action, and compare where PostgreSQL stopped \
      with pitr's prediction.

      On a terminal it shows the dry run and asks before restoring; --yes skips the question \
      and is required when standard input is not a terminal. A journal and a lock are kept \
      in DATA_DIRECTORY.pitr: a second run never acts on the same destination at once, and \
      after an interruption pitr apply resumes where it stopped (or says what to remove).

      --drill restores into a new folder pitr-drill-XXXXXX in --drill-directory (default \
      $TMPDIR, or /tmp) on --drill-port (default a free port) instead of the plan's \
      destination, runs the checks, stops the server, removes the folder and reports pass or \
      fail: a restore test for nightly automation. It first checks that the folder has room \
      for the extracted backup and the WAL recovery fetches, and that the port is free.

      With --json, standard output carries one JSON event a line, and always ends with a \
      'finished' event (refusals included) giving the outcome, the exit code and its reason, \
      the prediction compared, the checks, each step's time and the drill: see \
      docs/automation.md.

      With source.switch_wal, pitr apply PLAN first runs pg_switch_wal() on the source and \
      waits until that segment is archived, then checks the plan against the archive: a \
      target in WAL not archived yet becomes reachable. pitr validate and pitr plan change \
      nothing and check the archive as it is.

      Exit status: 0 restored (and every check passed); 1 the restore failed, a check \
      failed, or PostgreSQL stopped elsewhere than pitr predicted; 2 the plan is invalid, its \
      target unreachable, COMPILED.json stale, or the drill's folder or port unusable; 64 usage.
      """
  )

  @Argument(help: "The plan file (YAML), or a compiled plan written by pitr plan --format json.")
  var plan: String

  @Flag(name: .long, help: "Restore into a temporary directory and free port, check, and remove it all.")
  var drill = false

  @Option(
    name: .customLong("drill-directory"),
    help: ArgumentHelp(
      "Where --drill makes its temporary folder (default: $TMPDIR, or /tmp); it needs room for "
        + "the extracted backup and the WAL recovery fetches.", valueName: "dir"))
  var drillDirectory: String?

  @Option(
    name: .customLong("drill-port"),
    help: ArgumentHelp("The port of the server --drill starts (default: a free port).", valueName: "port"))
  var drillPort: Int?

  @OptionGroup var runOptions: RunOptions

  @OptionGroup var output: OutputOptions

  func run() async throws {
    let collector = DiagnosticCollector()
    let timing = StepTimingObserver(output.json ? JSONRunObserver() : TerminalRunObserver())
    let drillState = DrillState()
    do {
      try perform(collector: collector, timing: timing, drillState: drillState)
    } catch let failure as ApplyFailure {
      guard output.json else { throw failure.code }
      Terminal.write(
        FinishedEvent(
          outcome: failure.outcome, exitCode: failure.code.rawValue, exitReason: failure.reason,
          steps: timing.steps, diagnostics: collector.diagnostics, drill: drillState.record,
          serverLog: failure.serverLog
        ).line())
      throw failure.code
    }
  }

  /// What a drill did so far (its folder, port, removal), for whatever event ends the run.
  final class DrillState {
    var record: DrillRecord?

    /// Removes the drill's folder (when there is one) and records whether it is gone.
    func remove(_ folder: String?) {
      guard let folder else { return }
      try? FileManager.default.removeItem(atPath: folder)
      record?.removed = !FileManager.default.fileExists(atPath: folder)
    }
  }

  /// Why `pitr apply` ended without a report: its exit code, its outcome in the final JSON
  /// event, and the reason it gives.
  struct ApplyFailure: Error {
    var code: ExitCode
    var outcome: String
    var reason: String
    var serverLog: String?

    /// Nothing was restored.
    static func refused(_ code: ExitCode, _ reason: String) -> ApplyFailure {
      ApplyFailure(code: code, outcome: "refused", reason: reason)
    }
  }

  private func perform(
    collector: DiagnosticCollector, timing: StepTimingObserver, drillState: DrillState
  ) throws {
    // With --json, standard output carries only the run's JSON lines: diagnostics go to
    // standard error as text, and are repeated in the final event.
    var diagnosticsOutput = output
    diagnosticsOutput.json = false
    var pipeline = PlanPipeline(output: diagnosticsOutput, useCache: !runOptions.noCache)
    pipeline.collector = collector
    let usage = { (message: String) -> ApplyFailure in
      pipeline.fail(message)
      return .refused(PITRExitCode.usage, "usage: \(message)")
    }
    guard drill || (drillDirectory == nil && drillPort == nil) else {
      throw usage("--drill-directory and --drill-port go with --drill")
    }
    var temporaryDirectory: String?
    let compiled: CompiledPlan
    var switchedSegment: String?
    if Self.isCompiledPlan(plan) {
      guard !drill else { throw usage("--drill takes the plan file (YAML), not a compiled plan") }
      do {
        compiled = try pipeline.loadCompiled(plan)
      } catch let code as ExitCode {
        throw ApplyFailure.refused(
          code, code == PITRExitCode.usage ? "\(plan) cannot be read" : "\(plan) is stale or its plan invalid")
      }
    } else {
      var (loaded, source): (Plan, SourceText)
      do {
        (loaded, source) = try pipeline.load(plan)
      } catch let code as ExitCode {
        throw ApplyFailure.refused(code, code == PITRExitCode.usage ? "\(plan) cannot be read" : "the plan is invalid")
      }
      if !drill, let convergence = Self.convergence(of: loaded, source: source, file: plan, pipeline: pipeline) {
        try converge(convergence, pipeline: pipeline)
        return
      }
      if drill {
        let (directory, port) = try drillPlace(pipeline: pipeline)
        temporaryDirectory = try Self.drillDestination(for: &loaded, in: directory, port: port, pipeline: pipeline)
        drillState.record = DrillRecord(directory: temporaryDirectory!, port: port, removed: false, passed: false)
      }
      let removeDrill = { drillState.remove(temporaryDirectory) }
      do {
        switchedSegment = try Self.switchSourceWAL(for: loaded, json: output.json, pipeline: pipeline)
      } catch {
        removeDrill()
        throw ApplyFailure(
          code: PITRExitCode.executionFailed, outcome: "failed", reason: "pg_switch_wal() on the source failed")
      }
      // The switch is a phase before compiling: its archived segment goes into the plan.
      let compilation = pipeline.compile(loaded, source: source, switchedSourceSegment: switchedSegment)
      pipeline.report(compilation.diagnostics, source: source, file: plan)
      guard let result = compilation.compiled else {
        removeDrill()
        throw ApplyFailure.refused(PITRExitCode.invalidPlan, "the plan is invalid or its target unreachable")
      }
      compiled = result
      if let temporaryDirectory, let problem = Self.drillSpaceProblem(compiled, in: temporaryDirectory) {
        removeDrill()
        pipeline.fail(problem)
        throw ApplyFailure.refused(PITRExitCode.invalidPlan, problem)
      }
    }
    let resolver = PlanPipeline.resolver(for: compiled)
    RunStores.endSharedConnectionsAtExit(
      walFolders: compiled.destination.walFolders, spool: compiled.destination.stateDirectory + "/spool")
    if !drill { try confirm(compiled, resolver: resolver, pipeline: pipeline) }
    let runner = RestoreRunner(plan: compiled, resolver: resolver, observer: timing, timeout: runOptions.timeout)
    try restore(
      compiled, runner: runner, drillFolder: temporaryDirectory, collector: collector, timing: timing,
      drillState: drillState)
  }

  /// Runs the restore and prints its outcome; removes a drill's folder afterwards.
  private func restore(
    _ compiled: CompiledPlan, runner: RestoreRunner, drillFolder temporaryDirectory: String?,
    collector: DiagnosticCollector, timing: StepTimingObserver, drillState: DrillState
  ) throws {
    let report: RunReport
    do {
      report = try runner.run()
    } catch {
      if let temporaryDirectory {
        runner.tearDown()
        drillState.remove(temporaryDirectory)
      }
      let excerpt = (error as? RunnerError)?.logExcerpt ?? []
      Self.printFailure(error, json: output.json)
      collector.diagnostics.append(.error(String(describing: error), at: nil))
      // Another run holding the destination is a refusal: nothing was done.
      let held = error is RunLock.Held
      throw ApplyFailure(
        code: PITRExitCode.executionFailed, outcome: held ? "refused" : "failed",
        reason: held ? "\(error)" : "the restore failed: \(error)",
        serverLog: excerpt.isEmpty ? nil : excerpt.joined(separator: "\n"))
    }
    let (code, _) = RunSummary.verdict(report)
    if let temporaryDirectory {
      runner.tearDown()
      drillState.remove(temporaryDirectory)
      drillState.record?.passed = code == 0
    }
    if output.json {
      Terminal.write(FinishedEvent(report: report, steps: timing.steps, drill: drillState.record).line())
    } else {
      Terminal.write(RunSummary.text(report, plan: compiled, drill: drillState.record))
    }
    // A check failed, or PostgreSQL stopped elsewhere than predicted: the data may not be
    // what the plan meant.
    guard code == 0 else { throw ExitCode(code) }
  }

  /// The folder a drill goes into and its port, checked: the folder exists, the port is free.
  private func drillPlace(pipeline: PlanPipeline) throws -> (String, Int) {
    let directory = drillDirectory ?? ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue
    else {
      let message =
        drillDirectory != nil
        ? "--drill-directory \(directory) is not a folder on this machine"
        : "\(directory) (from $TMPDIR) is not a folder on this machine; create it, or give the drill "
          + "a folder with --drill-directory"
      pipeline.fail(message)
      throw ApplyFailure.refused(PITRExitCode.usage, "usage: \(message)")
    }
    let system = SystemEnvironment()
    if let drillPort {
      guard (1...65535).contains(drillPort) else {
        let message = "--drill-port must be a port number from 1 to 65535, not \(drillPort)"
        pipeline.fail(message)
        throw ApplyFailure.refused(PITRExitCode.usage, "usage: \(message)")
      }
      guard !system.isPortInUse(drillPort) else {
        let message =
          "--drill-port \(drillPort) is in use on this machine; choose a free port, or leave --drill-port out for one"
        pipeline.fail(message)
        throw ApplyFailure.refused(PITRExitCode.invalidPlan, message)
      }
      return (directory, drillPort)
    }
    guard let port = system.freePort() else {
      pipeline.fail("no free port for the drill; give one with --drill-port")
      throw ApplyFailure(code: PITRExitCode.executionFailed, outcome: "failed", reason: "no free port for the drill")
    }
    return (directory, port)
  }

  /// Why the drill's folder is too small for the extracted backup and the WAL recovery fetches.
  static func drillSpaceProblem(_ plan: CompiledPlan, in directory: String) -> String? {
    guard let extracted = plan.backup.expandedSize,
      let free = SystemEnvironment().freeBytes(at: directory)
    else { return nil }
    let needed = extracted + plan.prediction.bytesToFetch
    guard free < needed else { return nil }
    let parent = (directory as NSString).deletingLastPathComponent
    return "the drill needs \(ByteCount.describe(needed)) in \(parent) (the backup extracted, "
      + "\(ByteCount.describe(extracted)), and the WAL recovery fetches, "
      + "\(ByteCount.describe(plan.prediction.bytesToFetch))), but only \(ByteCount.describe(free)) is free "
      + "there; free some space or choose another --drill-directory"
  }

  /// With `source.switch_wal`, switches WAL on the source and waits for the archive before
  /// the plan is compiled, so the checks see the newest WAL; returns the archived segment.
  static func switchSourceWAL(for plan: Plan, json: Bool, pipeline: PlanPipeline) throws -> String? {
    guard let source = plan.source, source.switchWAL.value, let conninfo = source.conninfo?.value else {
      return nil
    }
    try pipeline.requireReadableLocations(plan, source: nil, file: plan.file)
    let wal = SourceWALSwitch(conninfo: conninfo, walFolders: plan.backups.wal.map(\.value))
    if !json { Terminal.writeError("switch-source-wal: pg_switch_wal() on the source, before checking the plan\n") }
    do {
      let segment = try wal.run { message in
        if !json { Terminal.writeError("switch-source-wal: \(message)\n") }
      }
      if !json { Terminal.writeError("switch-source-wal: \(segment) is archived\n") }
      return segment
    } catch {
      printFailure(error, json: json)
      pipeline.collector?.diagnostics.append(.error(String(describing: error), at: nil))
      throw PITRExitCode.executionFailed
    }
  }

  /// A compiled plan is JSON: by its extension, or by its first character.
  static func isCompiledPlan(_ path: String) -> Bool {
    if path.hasSuffix(".json") { return true }
    guard let handle = FileHandle(forReadingAtPath: path) else { return false }
    defer { try? handle.close() }
    let head = (try? handle.read(upToCount: 64)) ?? Data()
    return String(decoding: head, as: UTF8.self).drop(while: \.isWhitespace).first == "{"
  }

  /// On a terminal, shows the dry run and asks; without one, `--yes` is required.
  private func confirm(_ compiled: CompiledPlan, resolver: StepResolver, pipeline: PlanPipeline) throws {
    if runOptions.yes { return }
    guard Terminal.isTerminal(STDIN_FILENO) else {
      let message =
        "pitr apply needs --yes when standard input is not a terminal (review the steps with pitr plan first)"
      pipeline.fail(message)
      throw ApplyFailure.refused(PITRExitCode.usage, "usage: \(message)")
    }
    Terminal.writeError(PlanText.render(compiled, resolver: resolver))
    Terminal.writeError(
      "\nRestore backup \(compiled.backup.id) into \(compiled.destination.dataDirectory) on port "
        + "\(compiled.destination.port)? Type yes to go on: ")
    guard readLine()?.trimmingCharacters(in: .whitespaces).lowercased() == "yes" else {
      Terminal.writeError("Nothing was done.\n")
      throw ApplyFailure.refused(PITRExitCode.executionFailed, "the restore was not confirmed")
    }
  }

  /// Points the plan at a new folder in `directory` and at `port`; returns the folder.
  static func drillDestination(
    for plan: inout Plan, in directory: String, port: Int, pipeline: PlanPipeline
  ) throws -> String {
    guard let folder = TemporaryFolder.make(prefix: "pitr-drill", in: directory) else {
      let message = "cannot create a folder in \(directory): \(String(cString: strerror(errno)))"
      pipeline.fail(message)
      throw ApplyFailure(code: PITRExitCode.executionFailed, outcome: "failed", reason: message)
    }
    let destination = plan.destination
    plan.destination.dataDirectory = Located("\(folder)/data", at: destination.dataDirectory.location)
    plan.destination.port = Located(port, at: destination.port.location)
    plan.destination.tablespaces = destination.tablespaces.map { mapping in
      var moved = mapping
      moved.location = Located("\(folder)/tablespace-\(mapping.tablespace.value)", at: mapping.location.location)
      return moved
    }
    return folder
  }

  /// Prints a failure on standard error (with --json too: the final event repeats it).
  static func printFailure(_ error: Error, json: Bool) {
    let excerpt = (error as? RunnerError)?.logExcerpt ?? []
    var text = "pitr: error: \(error)\n"
    if !excerpt.isEmpty {
      text += "The server log says:\n" + excerpt.map { "  | \($0)\n" }.joined()
    }
    Terminal.writeError(text)
  }
}
