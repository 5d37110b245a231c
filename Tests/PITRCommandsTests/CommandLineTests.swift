import Foundation
import Testing
import _PITRTestSupport

@Suite struct CommandLineTests {
  @Test func versionIsPrinted() throws {
    let result = try pitr("--version")
    #expect(result.status == 0)
    #expect(result.standardOutput == "0.1.0\n")
  }

  @Test func helpExplainsEveryCommandAndTheExitCodes() throws {
    let result = try pitr("--help")
    #expect(result.status == 0)
    for phrase in [
      "Declarative point-in-time recovery for PostgreSQL.", "validate", "schema",
      "Check a restore plan and print every problem found.",
      "Print the JSON Schema (draft 2020-12) of the plan",
      "64 usage error",
    ] {
      #expect(result.standardOutput.contains(phrase), "--help lacks \(phrase)")
    }
  }

  @Test(arguments: ["bash", "zsh", "fish"])
  func completionPrintsTheShellsScript(shell: String) throws {
    let result = try pitr("completion", shell)
    #expect(result.status == 0)
    #expect(result.standardOutput.contains("apply") && result.standardOutput.contains("restore-points"))
    // The same script as argument-parser's own option.
    #expect(result.standardOutput == (try pitr("--generate-completion-script", shell)).standardOutput)
  }

  @Test func completionForAnotherShellIsAUsageError() throws {
    let result = try pitr("completion", "tcsh")
    #expect(result.status == 64)
    #expect(
      result.standardError.hasPrefix(
        "Error: The value 'tcsh' is invalid for '<shell>'. Please provide one of 'bash', 'zsh' or 'fish'."))
  }

  @Test func validateHelpExplainsItsArgumentsAndOptions() throws {
    let result = try pitr("validate", "--help")
    #expect(result.status == 0)
    for phrase in [
      "USAGE: pitr validate <plan> [--plan-only] [--no-cache] [--json] [--color <when>]",
      "The plan file (YAML).", "--plan-only",
      "--json", "Print machine-readable JSON", "--color <when>", "Exit status: 0 when the plan can be",
    ] {
      #expect(result.standardOutput.contains(phrase), "validate --help lacks \(phrase)")
    }
  }

  @Test func unknownOptionIsAUsageError() throws {
    let result = try pitr("validate", "--frobnicate", "x.yaml")
    #expect(result.status == 64)
    #expect(result.standardError.contains("Unknown option '--frobnicate'"))
  }

  @Test func missingArgumentIsAUsageError() throws {
    let result = try pitr("validate")
    #expect(result.status == 64)
    #expect(result.standardError.contains("Missing expected argument '<plan>'"))
  }

  @Test func missingPlanFileIsAUsageError() throws {
    let result = try pitr("validate", "/nonexistent/plan.yaml")
    #expect(result.status == 64)
    #expect(
      result.standardError == "pitr: error: cannot read plan '/nonexistent/plan.yaml': no such file\n")
  }

  @Test func directoryIsAUsageError() throws {
    let directory = try TemporaryDirectory("dir")
    defer { directory.remove() }
    let result = try pitr("validate", directory.path)
    #expect(result.status == 64)
    #expect(
      result.standardError == "pitr: error: cannot read plan '\(directory.path)': it is a directory\n")
  }
}
