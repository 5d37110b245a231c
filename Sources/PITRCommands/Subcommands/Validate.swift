import ArgumentParser
import PlanLoading
import PlanModel

/// `pitr validate PLAN`: load and check a plan; print its diagnostics.
struct Validate: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Check a restore plan and print every problem found.",
    discussion: """
      Reads PLAN, replaces ${NAME} references from the environment, and checks every key: \
      types, allowed values, exactly one recovery target, LSN/xid/time formats, absolute \
      paths, the destination kept apart from the backups, and the verify checks. All \
      problems of the file are printed at once, in file order, as file:line:column: error: …

      Checks against the backup repository (backups, WAL, timelines) arrive with the \
      catalog. Nothing is written.

      Exit status: 0 when the plan is valid, 2 when it is not, 64 when PLAN cannot be read.
      """
  )

  @Argument(help: "The plan file (YAML).")
  var plan: String

  @OptionGroup var output: OutputOptions

  func run() async throws {
    let result: PlanLoader.Result
    do {
      result = try PlanLoader().load(contentsOf: plan)
    } catch let error as PlanLoader.FileError {
      Terminal.writeError("pitr: error: \(error.description)\n")
      throw PITRExitCode.usage
    }
    if output.json {
      Terminal.write(DiagnosticPrinter.json(result.diagnostics))
    } else {
      let printer = DiagnosticPrinter(useColor: Terminal.usesColor(output.color))
      Terminal.writeError(printer.render(result.diagnostics, source: result.source))
      if let plan = result.plan {
        Terminal.write(PlanSummary.describe(plan))
      } else {
        Terminal.writeError(Self.tally(result.diagnostics, file: plan))
      }
    }
    if result.plan == nil { throw PITRExitCode.invalidPlan }
  }

  /// "plans/x.yaml: 3 errors, 1 warning".
  static func tally(_ diagnostics: [Diagnostic], file: String) -> String {
    let errors = diagnostics.filter { $0.severity == .error }.count
    let warnings = diagnostics.filter { $0.severity == .warning }.count
    var parts = ["\(errors) error\(errors == 1 ? "" : "s")"]
    if warnings > 0 { parts.append("\(warnings) warning\(warnings == 1 ? "" : "s")") }
    return "\(file): invalid plan: " + parts.joined(separator: ", ") + "\n"
  }
}
