import Foundation
import Testing
import _PITRTestSupport

private let validPlan = """
  version: 1
  backups:
    base: /backups/base
    wal: /backups/wal
  target:
    name: test_pirt
  destination:
    data_directory: /srv/pg/restore
    port: 5599
  action: pause

  """

@Suite struct ValidateCommandTests {
  @Test func validPlanExitsZeroWithASummary() throws {
    let directory = try TemporaryDirectory("validate")
    defer { directory.remove() }
    let path = try directory.write(validPlan, to: "restore.yaml")
    let result = try pitr("validate", "--plan-only", path)
    #expect(result.status == 0)
    #expect(result.standardError == "")
    #expect(
      result.standardOutput == """
        \(path): valid plan 'restore'
          restore:  /backups/base (backup: auto)
          wal:      /backups/wal
          target:   restore point 'test_pirt', timeline latest
          into:     /srv/pg/restore (port 5599)
          then:     pause

        """)
  }

  @Test func invalidPlanPrintsLocatedErrorsWithCaretAndExitsTwo() throws {
    let directory = try TemporaryDirectory("validate")
    defer { directory.remove() }
    let path = try directory.write(
      validPlan.replacing("port: 5599", with: "prot: 5599"), to: "restore.yaml")
    let result = try pitr("validate", path)
    #expect(result.status == 2)
    #expect(result.standardOutput == "")
    #expect(
      result.standardError == """
        \(path):7:1: error: missing required key 'port' in 'destination' (the port the restored server listens on)
          destination:
          ^
        \(path):9:3: error: unknown key 'prot' in 'destination'
            prot: 5599
            ^
        note: did you mean 'port'?
        \(path): invalid plan: 2 errors

        """)
  }

  @Test func jsonOutputListsTheDiagnostics() throws {
    let directory = try TemporaryDirectory("validate")
    defer { directory.remove() }
    let path = try directory.write(
      validPlan.replacing("name: test_pirt", with: "lsn: 0/XYZ"), to: "restore.yaml")
    let result = try pitr("validate", "--json", path)
    #expect(result.status == 2)
    #expect(result.standardError == "")
    let records = try #require(
      JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [[String: Any]])
    #expect(records.count == 1)
    #expect(records.first?["file"] as? String == path)
    #expect(records.first?["line"] as? Int == 6)
    #expect(records.first?["column"] as? Int == 8)
    #expect(records.first?["severity"] as? String == "error")
    #expect((records.first?["message"] as? String)?.hasPrefix("'0/XYZ' is not an LSN") == true)
  }

  @Test func jsonOutputOfAValidPlanIsAnEmptyArray() throws {
    let directory = try TemporaryDirectory("validate")
    defer { directory.remove() }
    let path = try directory.write(validPlan, to: "restore.yaml")
    let result = try pitr("validate", "--json", "--plan-only", path)
    #expect(result.status == 0)
    #expect(result.standardOutput == "[\n\n]\n" || result.standardOutput == "[]\n")
  }

  @Test func colourOnlyWhenAsked() throws {
    let directory = try TemporaryDirectory("validate")
    defer { directory.remove() }
    let path = try directory.write(
      validPlan.replacing("action: pause", with: "action: paws"), to: "restore.yaml")
    let plain = try pitr("validate", path)
    #expect(!plain.standardError.contains("\u{1B}["), "no colour when stderr is not a terminal")
    let coloured = try pitr("validate", "--color", "always", path)
    #expect(coloured.standardError.contains("\u{1B}[1;31merror:\u{1B}[0m"))
  }

  @Test func everyExamplePlanValidates() throws {
    let plans = RepositoryPaths.examplePlans
    #expect(plans.count >= 4)
    for plan in plans {
      let result = try pitr(
        "validate", "--plan-only", plan, environment: ["PITR_LAB": "/var/lib/pitr-lab"])
      #expect(result.status == 0, "\(plan): \(result.standardError)")
    }
  }
}

@Suite struct ValidateAgainstTheRepositoryTests {
  @Test func missingBackupFoldersAreLocatedAtTheirKeys() throws {
    let directory = try TemporaryDirectory("validate")
    defer { directory.remove() }
    let path = try directory.write(validPlan, to: "restore.yaml")
    let result = try pitr("validate", path)
    #expect(result.status == 2)
    #expect(
      result.standardError.hasPrefix(
        "\(path):3:9: error: '/backups/base' is not a folder on this machine\n"))
    #expect(result.standardError.contains("\(path):4:8: error: '/backups/wal' is not a folder on this machine"))
  }
}
