import ArgumentParser
import Compiler
import Execution
import Foundation
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

      --drill restores into a temporary directory on a free port instead of the plan's \
      destination, runs the checks, removes everything and reports pass or fail: a restore \
      test for nightly automation.

      With source.switch_wal, pitr apply PLAN first runs pg_switch_wal() on the source and \
      waits until that segment is archived, then checks the plan against the archive: a \
      target in WAL not archived yet becomes reachable. pitr validate and pitr plan change \
      nothing and check the archive as it is.

      Exit status: 0 restored (and every check passed); 1 the restore failed, a check \
      failed, or PostgreSQL stopped elsewhere than pitr predicted; 2 the plan is invalid, its target unreachable, or COMPILED.json stale; 64 usage.
      """
  )

  @Argument(help: "The plan file (YAML), or a compiled plan written by pitr plan --format json.")
  var plan: String

  @Flag(name: .long, help: "Do not ask for confirmation (required without a terminal).")
  var yes = false

  @Flag(name: .long, help: "Restore into a temporary directory and free port, check, and remove it all.")
  var drill = false

  @Option(help: ArgumentHelp("Give up waiting for recovery to reach the target after this many seconds.", valueName: "seconds"))
  var timeout: Double = 86_400

  @Flag(name: .long, help: "Read every backup file again instead of using the catalog cache.")
  var noCache = false

  @OptionGroup var output: OutputOptions

  func validate() throws {
    guard timeout > 0 else { throw ValidationError("--timeout must be a positive number of seconds") }
  }

  func run() async throws {
    // With --json, standard output carries only the run's JSON lines: diagnostics go to
    // standard error as text.
    var diagnosticsOutput = output
    diagnosticsOutput.json = false
    let pipeline = PlanPipeline(output: diagnosticsOutput, useCache: !noCache)
    var drillDirectory: String?
    let compiled: CompiledPlan
    var switchedSegment: String?
    if Self.isCompiledPlan(plan) {
      guard !drill else {
        Terminal.writeError("pitr: error: --drill takes the plan file (YAML), not a compiled plan\n")
        throw PITRExitCode.usage
      }
      compiled = try pipeline.loadCompiled(plan)
    } else {
      var (loaded, source) = try pipeline.load(plan)
      if drill {
        let directory = try Self.drillDestination(for: &loaded)
        drillDirectory = directory
      }
      switchedSegment = try Self.switchSourceWAL(for: loaded, json: output.json)
      let compilation = pipeline.compile(loaded, source: source)
      pipeline.report(compilation.diagnostics, source: source, file: plan)
      guard let result = compilation.compiled else {
        if let drillDirectory { try? FileManager.default.removeItem(atPath: drillDirectory) }
        throw PITRExitCode.invalidPlan
      }
      compiled = result
    }
    let resolver = PlanPipeline.resolver(for: compiled)
    if !drill { try confirm(compiled, resolver: resolver) }
    let runner = RestoreRunner(
      plan: compiled, resolver: resolver,
      observer: output.json ? JSONRunObserver() : TerminalRunObserver(), timeout: timeout)
    runner.sourceWALSwitchedBeforeCompiling = switchedSegment
    defer {
      if let drillDirectory {
        runner.tearDown()
        try? FileManager.default.removeItem(atPath: drillDirectory)
      }
    }
    let report: RunReport
    do {
      report = try runner.run()
    } catch {
      Self.printFailure(error, json: output.json)
      throw PITRExitCode.executionFailed
    }
    if output.json {
      Terminal.write(try RunSummary.json(report))
    } else {
      Terminal.write(RunSummary.text(report, plan: compiled, drill: drill))
    }
    guard report.outcome != .checksFailed, report.checks.allSatisfy(\.passed) else {
      throw PITRExitCode.executionFailed
    }
    // PostgreSQL stopped elsewhere than predicted: the data may not be what the plan meant.
    guard report.predictionMatched else { throw PITRExitCode.executionFailed }
  }

  /// With `source.switch_wal`, switches WAL on the source and waits for the archive before
  /// the plan is compiled, so the checks see the newest WAL; returns the archived segment.
  static func switchSourceWAL(for plan: Plan, json: Bool) throws -> String? {
    guard let source = plan.source, source.switchWAL.value, let conninfo = source.conninfo?.value else {
      return nil
    }
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
  private func confirm(_ compiled: CompiledPlan, resolver: StepResolver) throws {
    if yes { return }
    guard Terminal.isTerminal(STDIN_FILENO) else {
      Terminal.writeError(
        "pitr: error: pitr apply needs --yes when standard input is not a terminal (review the "
          + "steps with pitr plan first)\n")
      throw PITRExitCode.usage
    }
    Terminal.writeError(PlanText.render(compiled, resolver: resolver))
    Terminal.writeError(
      "\nRestore backup \(compiled.backup.id) into \(compiled.destination.dataDirectory) on port "
        + "\(compiled.destination.port)? Type yes to go on: ")
    guard readLine()?.trimmingCharacters(in: .whitespaces).lowercased() == "yes" else {
      Terminal.writeError("Nothing was done.\n")
      throw PITRExitCode.executionFailed
    }
  }

  /// Points the plan at a new temporary directory and a free port; returns the directory.
  static func drillDestination(for plan: inout Plan) throws -> String {
    let directory = try TemporaryFolder.make(prefix: "pitr-drill")
    guard let port = SystemEnvironment().freePort() else {
      Terminal.writeError("pitr: error: no free port for the drill\n")
      throw PITRExitCode.executionFailed
    }
    let destination = plan.destination
    plan.destination.dataDirectory = Located("\(directory)/data", at: destination.dataDirectory.location)
    plan.destination.port = Located(port, at: destination.port.location)
    plan.destination.tablespaces = destination.tablespaces.map { mapping in
      var moved = mapping
      moved.location = Located("\(directory)/tablespace-\(mapping.tablespace.value)", at: mapping.location.location)
      return moved
    }
    return directory
  }

  static func printFailure(_ error: Error, json: Bool) {
    let excerpt = (error as? RunnerError)?.logExcerpt ?? []
    if json {
      JSONRunObserver().emit("failed", message: ([String(describing: error)] + excerpt).joined(separator: "\n"))
      return
    }
    var text = "pitr: error: \(error)\n"
    if !excerpt.isEmpty {
      text += "The server log says:\n" + excerpt.map { "  | \($0)\n" }.joined()
    }
    Terminal.writeError(text)
  }
}
