import PlanLoading
import PlanModel
import Testing
import _PITRTestSupport

@Suite struct VerifyTests {
  @Test func checksAreBuiltWithTheirExpectations() {
    let plan = loadValidPlan(
      SamplePlan.base + """
        verify:
          - name: the last insert survived
            database: test
            sql: SELECT count(*) FROM inventarios WHERE producto = 'Ultimo_Registro'
            expect: 1
          - sql: |
              SELECT id, producto
              FROM inventarios ORDER BY id LIMIT 2
            database: test
            expect_rows: [["1", "Producto_1"], [2, null]]
          - sql: SELECT NULL
            expect: null

        """)
    #expect(plan?.verify.count == 3)
    #expect(plan?.verify[0].label == "the last insert survived")
    #expect(plan?.verify[0].database.value == "test")
    #expect(plan?.verify[0].expectation.value == .value("1"))
    #expect(plan?.verify[1].sql.value == "SELECT id, producto\nFROM inventarios ORDER BY id LIMIT 2\n")
    #expect(plan?.verify[1].expectation.value == .rows([["1", "Producto_1"], ["2", nil]]))
    #expect(plan?.verify[2].database.value == "postgres")
    #expect(plan?.verify[2].expectation.value == .value(nil))
    #expect(plan?.verify[2].label == "SELECT NULL")
  }

  @Test func checkNeedsSQL() {
    expectDiagnostics(
      SamplePlan.base + "verify:\n  - 1️⃣expect: 1\n",
      [.error("1️⃣", "missing required key 'sql' in 'verify[0]' (the query)")])
  }

  @Test func checkNeedsOneExpectation() {
    expectDiagnostics(
      SamplePlan.base + "verify:\n  - 1️⃣sql: SELECT 1\n",
      [.error("1️⃣", "'verify[0]' needs an expectation: one of 'expect', 'expect_rows'")])
    expectDiagnostics(
      SamplePlan.base + "verify:\n  - sql: SELECT 1\n    2️⃣expect: 1\n    1️⃣expect_rows: [[1]]\n",
      [
        .error(
          "1️⃣",
          "'verify[0]' has more than one expectation ('expect' and 'expect_rows'); keep exactly one",
          notes: ["'expect' is here"])
      ])
  }

  @Test func verifyIsNotAllowedWithShutdown() {
    expectDiagnostics(
      SamplePlan.base.replacing("action: promote", with: "action: shutdown")
        + "1️⃣verify:\n  - sql: SELECT 1\n    expect: 1\n",
      [
        .error(
          "1️⃣",
          "'verify' cannot be used with 'action: shutdown': the server is stopped at the target, "
            + "so there is nothing to run the checks on", notes: ["'action' is set here"])
      ])
  }

  @Test func promoteIfVerifiedNeedsAtLeastOneCheck() {
    expectDiagnostics(
      SamplePlan.base.replacing("action: promote", with: "action: 1️⃣promote-if-verified"),
      [
        .error(
          "1️⃣",
          "'action: promote-if-verified' needs 'verify' with at least one check: "
            + "promote-if-verified promotes only when checks pass, so it needs at least one")
      ])
    expectDiagnostics(
      SamplePlan.base.replacing("action: promote", with: "action: promote-if-verified")
        + "verify: 1️⃣[]\n",
      [.error("1️⃣", "'verify' is empty; add at least one item or remove the key")])
  }

  @Test func expectRowsMustBeAListOfLists() {
    expectDiagnostics(
      SamplePlan.base + "verify:\n  - sql: SELECT 1\n    expect_rows: [1️⃣\"1\"]\n",
      [
        .error(
          "1️⃣", "'verify[0].expect_rows[0]' must be a list, not the text \"1\"")
      ])
  }
}
