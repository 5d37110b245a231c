import Execution
import Foundation
import Testing
import _PITRTestSupport

@testable import PITRCommands

/// `pitr apply --json` prints JSON on standard output whatever happens: a refusal is one
/// `finished` event with the diagnostics, the exit code and its reason (docs/automation.md),
/// checked against docs/apply-events.schema.json.
@Suite struct ApplyJSONContractTests {
  /// The one line `pitr apply ARGUMENTS --json` printed, checked against the schema.
  static func refusal(_ arguments: String..., status: Int32) throws -> [String: Any] {
    let result = try ProcessRunner.run(
      RepositoryPaths.pitrExecutable, ["apply"] + arguments + ["--json"], environment: ["NO_COLOR": "1"],
      timeout: 30)
    #expect(result.status == status, "\(result.standardError)")
    let lines = result.standardOutput.split(separator: "\n")
    #expect(lines.count == 1, "\(result.standardOutput)")
    try JSONSchemaValidator.expectLines(result.standardOutput, conformTo: "apply-events.schema.json")
    let event = try #require(JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
    #expect(event["event"] as? String == "finished")
    #expect(event["exitCode"] as? Int == Int(status))
    #expect(event["steps"] as? [Any] != nil && (event["steps"] as? [Any])?.isEmpty == true)
    return event
  }

  static func messages(_ event: [String: Any]) -> [String] {
    (event["diagnostics"] as? [[String: Any]] ?? []).compactMap { $0["message"] as? String }
  }

  @Test func aPlanThatDoesNotCompileIsRefusedAsJSON() throws {
    let directory = try TemporaryDirectory("apply-json-invalid")
    defer { directory.remove() }
    let plan = try directory.write(SamplePlan.base, to: "plan.yaml")

    let event = try Self.refusal(plan, "--yes", status: 2)

    #expect(event["outcome"] as? String == "refused")
    #expect(event["exitReason"] as? String == "the plan is invalid or its target unreachable")
    let diagnostics = try #require(event["diagnostics"] as? [[String: Any]])
    #expect(diagnostics.first?["message"] as? String == "'/backups/base' is not a folder on this machine")
    #expect(diagnostics.first?["file"] as? String == plan)
    #expect(diagnostics.first?["line"] as? Int == 3)
    #expect(diagnostics.first?["severity"] as? String == "error")
  }

  /// Another live run's lock on the destination: refused before anything is done.
  @Test func aDestinationAnotherRunHoldsIsRefusedAsJSON() throws {
    let repository = try CommandErrorTests.CompilableRepository()
    defer { repository.remove() }
    let state = repository.directory.file("restore.pitr")
    try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
    // This test process is alive: its id in the lock is another run's.
    try Data("\(getpid())\n".utf8).write(to: URL(fileURLWithPath: "\(state)/lock"))

    let event = try Self.refusal(repository.planPath, "--yes", "--no-cache", status: 1)

    let reason =
      "another pitr run (process \(getpid())) is restoring into this destination (lock "
      + "\(state)/lock); wait for it, or stop it"
    #expect(event["outcome"] as? String == "refused")
    #expect(event["exitReason"] as? String == reason)
    #expect(Self.messages(event) == [reason])
    #expect(!FileManager.default.fileExists(atPath: repository.directory.file("restore")), "nothing was done")
  }

  @Test func aMalformedPlanAndAMissingFileAreRefusedAsJSON() throws {
    let directory = try TemporaryDirectory("apply-json-malformed")
    defer { directory.remove() }
    let plan = try directory.write(
      SamplePlan.base.replacingOccurrences(of: "port: 5599", with: "prot: 5599"), to: "plan.yaml")

    let malformed = try Self.refusal(plan, "--yes", status: 2)
    #expect(malformed["outcome"] as? String == "refused")
    #expect(malformed["exitReason"] as? String == "the plan is invalid")
    #expect(Self.messages(malformed).contains("unknown key 'prot' in 'destination'"), "\(malformed)")

    let missing = try Self.refusal(directory.file("absent.yaml"), "--yes", status: 64)
    #expect(missing["exitReason"] as? String == "\(directory.file("absent.yaml")) cannot be read")
    #expect(Self.messages(missing).count == 1)
  }

  @Test func usageErrorsAfterParsingAreRefusedAsJSON() throws {
    let directory = try TemporaryDirectory("apply-json-usage")
    defer { directory.remove() }
    let plan = try directory.write(SamplePlan.base, to: "plan.yaml")

    let compiledDrill = try Self.refusal(directory.file("plan.json"), "--drill", status: 64)
    #expect(compiledDrill["exitReason"] as? String == "usage: --drill takes the plan file (YAML), not a compiled plan")
    #expect(Self.messages(compiledDrill) == ["--drill takes the plan file (YAML), not a compiled plan"])

    let portWithoutDrill = try Self.refusal(plan, "--drill-port", "5999", status: 64)
    #expect(portWithoutDrill["exitReason"] as? String == "usage: --drill-directory and --drill-port go with --drill")

    let noFolder = try Self.refusal(plan, "--drill", "--drill-directory", directory.file("none"), status: 64)
    #expect(
      Self.messages(noFolder) == ["--drill-directory \(directory.file("none")) is not a folder on this machine"])
    #expect(noFolder["drill"] == nil)
  }

  /// The final event of a run: the outcome and the exit code say different things when
  /// PostgreSQL stopped elsewhere than predicted, and the reason says why.
  @Test func theFinishedEventSaysWhyTheExitCodeIsWhatItIs() throws {
    let report = try JSONDecoder().decode(
      RunReport.self,
      from: Data(
        """
        {"outcome": "promoted",
         "loggedStop": "recovery stopping before commit of transaction 801, time 2025-12-24 17:53:45.880038+00",
         "predictedStop": "recovery stopping before commit of transaction 800, time 2025-12-24 17:53:40.000001+00",
         "checks": [{"label": "rows", "passed": true, "actual": [["11", null]]}], "serverLog": "LOG: ...\\n"}
        """.utf8))
    let event = FinishedEvent(
      report: report, steps: [StepTime(id: "extract-base", seconds: 1.25, skipped: false)],
      drill: DrillRecord(directory: "/tmp/pitr-drill-abc", port: 6001, removed: true, passed: false))
    let line = event.line()
    try JSONSchemaValidator.expectLines(line, conformTo: "apply-events.schema.json")
    let object = try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    #expect(object["outcome"] as? String == "promoted")
    #expect(object["exitCode"] as? Int == 1)
    #expect(
      object["exitReason"] as? String
        == "PostgreSQL stopped elsewhere than pitr predicted: look at the data before trusting it")
    let prediction = try #require(object["prediction"] as? [String: Any])
    #expect(prediction["matched"] as? Bool == false)
    #expect(prediction["logged"] as? String == report.loggedStop)

    var failedCheck = report
    failedCheck.loggedStop = report.predictedStop
    failedCheck.checks[0].passed = false
    failedCheck.checks[0].problem = "expected 11, got 10"
    #expect(RunSummary.verdict(failedCheck) == (1, "check 'rows' failed: expected 11, got 10"))
    failedCheck.checks = []
    #expect(
      RunSummary.verdict(failedCheck) == (0, "restored: every check passed and PostgreSQL stopped where pitr predicted")
    )
    // No JSON line is written twice over or pretty-printed.
    #expect(line.split(separator: "\n").count == 1)
  }
}
