import PlanModel
import Testing

@Suite struct DiagnosticTests {
  private func at(_ line: Int, _ column: Int, file: String = "a.yaml") -> PlanModel.SourceLocation {
    PlanModel.SourceLocation(file: file, line: line, column: column)
  }

  @Test func fileOrderSortsByLineThenColumnAndKeepsTiesStable() {
    let diagnostics: [Diagnostic] = [
      .error("third", at: at(3, 1)),
      .error("first", at: at(1, 9)),
      .warning("unlocated", at: nil),
      .error("second-a", at: at(2, 4)),
      .error("second-b", at: at(2, 4)),
    ]
    #expect(
      diagnostics.inFileOrder().map(\.message)
        == ["first", "second-a", "second-b", "third", "unlocated"])
  }

  @Test func hasErrorsIgnoresWarnings() {
    #expect(![Diagnostic.warning("w", at: nil)].hasErrors)
    #expect([Diagnostic.warning("w", at: nil), .error("e", at: nil)].hasErrors)
  }

  @Test func locationPrintsLikeACompiler() {
    #expect(at(12, 5, file: "plans/x.yaml").description == "plans/x.yaml:12:5")
  }

  @Test func locatedReadsThroughAndMaps() {
    let port = Located(5599, at: at(4, 9))
    #expect(port.map { $0 + 1 } == Located(5600, at: at(4, 9)))
    let name = Located("restore", at: at(1, 7))
    #expect(name.count == 7)
  }

  @Test func actionsMapToPostgreSQLActions() {
    #expect(RecoveryAction.promote.postgresAction == "promote")
    #expect(RecoveryAction.pause.postgresAction == "pause")
    #expect(RecoveryAction.shutdown.postgresAction == "shutdown")
    #expect(RecoveryAction.promoteIfVerified.postgresAction == "pause")
  }

  @Test func targetKindsKnowWhetherInclusiveApplies() {
    #expect(RecoveryTarget.Kind.xid(5).usesInclusive)
    #expect(!RecoveryTarget.Kind.name("x").usesInclusive)
    #expect(!RecoveryTarget.Kind.immediate.usesInclusive)
  }
}
