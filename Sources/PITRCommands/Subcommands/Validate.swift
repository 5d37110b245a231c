import ArgumentParser
import Compiler
import PlanLoading
import PlanModel

/// `pitr validate PLAN`: load and check a plan against its backup repository.
struct Validate: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Check a restore plan and print every problem found.",
    discussion: """
      Reads PLAN, replaces ${NAME} references from the environment, and checks every key: \
      types, allowed values, exactly one recovery target, LSN/xid/time formats, absolute \
      paths, the destination kept apart from the backups, and the verify checks. Then it \
      catalogues the backups and WAL the plan names and checks that the restore can work: \
      a backup that ends before the target, WAL that reaches it without a gap, the timeline, \
      the destination (empty, free port, space, binaries of the right version, OS user). \
      Problems are printed as file:line:column: error: …, at the plan key they concern.

      Nothing is written (but the catalog cache). Exit status: 0 when the plan can be \
      applied, 2 when it cannot, 64 when PLAN cannot be read.
      """
  )

  @Argument(help: "The plan file (YAML).")
  var plan: String

  @Flag(name: .long, help: "Check only the plan file itself, not the backups and the machine.")
  var planOnly = false

  @Flag(name: .long, help: "Read every backup file again instead of using the catalog cache.")
  var noCache = false

  @OptionGroup var output: OutputOptions

  func run() async throws {
    let pipeline = PlanPipeline(output: output, useCache: !noCache)
    let (loaded, source) = try pipeline.load(plan)
    if planOnly {
      pipeline.report([], source: source, file: plan)
      if !output.json { Terminal.write(PlanSummary.describe(loaded)) }
      return
    }
    let compiled = try pipeline.compileReporting(loaded, source: source, file: plan).compiled
    if !output.json {
      Terminal.write(PlanSummary.describe(loaded, resolvedDataDirectory: compiled.destination.dataDirectory))
      Terminal.write(PlanSummary.describe(compiled))
    }
  }

  /// "plans/x.yaml: invalid plan: 3 errors, 1 warning".
  static func tally(_ diagnostics: [Diagnostic], file: String) -> String {
    let errors = diagnostics.filter { $0.severity == .error }.count
    let warnings = diagnostics.filter { $0.severity == .warning }.count
    var parts = ["\(errors) error\(errors == 1 ? "" : "s")"]
    if warnings > 0 { parts.append("\(warnings) warning\(warnings == 1 ? "" : "s")") }
    return "\(file): invalid plan: " + parts.joined(separator: ", ") + "\n"
  }
}
