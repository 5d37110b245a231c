import PlanLoading
import Testing
import _PITRTestSupport

@Suite struct InterpolationTests {
  @Test func variablesAreReplacedFromTheEnvironment() {
    let plan = loadValidPlan(
      SamplePlan.base.replacing("base: /backups/base", with: "base: ${LAB}/base")
        .replacing("port: 5599", with: "port: ${PORT}"),
      environment: ["LAB": "/var/lib/lab", "PORT": "6001"])
    #expect(plan?.backups.base.value == "/var/lib/lab/base")
    #expect(plan?.destination.port.value == 6001)
  }

  @Test func unsetVariableIsAnErrorAtItsPosition() {
    expectDiagnostics(
      SamplePlan.base.replacing("base: /backups/base", with: "base: \"/x/1️⃣${LAB}/base\""),
      [
        .error(
          "1️⃣",
          "environment variable 'LAB' is not set; export it, or give a default with ${LAB:-value}")
      ])
  }

  @Test func secondReferenceOnALineIsLocated() {
    expectDiagnostics(
      SamplePlan.base.replacing("base: /backups/base", with: "base: ${A}/1️⃣${B}"),
      environment: ["A": "/set"],
      [
        .error(
          "1️⃣", "environment variable 'B' is not set; export it, or give a default with ${B:-value}")
      ])
  }

  @Test func defaultIsUsedWhenUnsetOrEmpty() {
    let plan = loadValidPlan(
      SamplePlan.base.replacing("base: /backups/base", with: "base: ${LAB:-/opt/lab}/base")
        .replacing("wal: /backups/wal", with: "wal: ${WAL:-/opt/wal}"),
      environment: ["WAL": ""])
    #expect(plan?.backups.base.value == "/opt/lab/base")
    #expect(plan?.backups.wal.map(\.value) == ["/opt/wal"])
  }

  @Test func doubledDollarIsALiteralReference() {
    let plan = loadValidPlan(
      SamplePlan.base + "verify:\n  - sql: SELECT '$${X}' || $$a$$\n    expect: ${X}\n",
      environment: ["X": "y"])
    #expect(plan?.verify.first?.sql.value == "SELECT '${X}' || $$a$$")
  }

  @Test func unterminatedReference() {
    expectDiagnostics(
      SamplePlan.base.replacing("base: /backups/base", with: "base: /a/1️⃣${LAB"),
      [.error("1️⃣", "'${' without a closing '}'; write ${NAME} (or $${ for a literal '${')")])
  }

  @Test func badVariableName() {
    expectDiagnostics(
      SamplePlan.base.replacing("base: /backups/base", with: "base: /a/1️⃣${1LAB}"),
      [
        .error(
          "1️⃣",
          "'${1LAB}' is not a variable reference; a name is letters, digits and '_' "
            + "(write ${NAME} or ${NAME:-default})")
      ])
  }

  @Test func pathsMustBeAbsoluteAfterInterpolation() {
    expectDiagnostics(
      SamplePlan.base.replacing("base: /backups/base", with: "base: 1️⃣${LAB}/base"),
      environment: ["LAB": "relative"],
      [
        .error(
          "1️⃣",
          "'backups.base' must be an absolute path, not 'relative/base'; write it from the root, "
            + "such as /srv/pg/base")
      ])
  }

  @Test func integerFromVariableIsChecked() {
    expectDiagnostics(
      SamplePlan.base.replacing("port: 5599", with: "port: 1️⃣${PORT}"),
      environment: ["PORT": "lots"],
      [.error("1️⃣", "'destination.port' must be an integer from 1 to 65535, not 'lots' (from ${PORT})")])
  }
}
