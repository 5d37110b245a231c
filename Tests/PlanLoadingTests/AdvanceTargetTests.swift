import PlanLoading
import PlanModel
import PostgresVocabulary
import Testing

/// `pitr advance --to KIND=VALUE`: parsed by the plan's own target rules, with its messages.
@Suite struct AdvanceTargetTests {
  /// The target of a plan (time, exclusive, on timeline 2) the advance keeps the rest of.
  private let planTarget = RecoveryTarget(
    kind: Located(.name("before"), at: SourceLocation(file: "p.yaml", line: 6, column: 3)),
    inclusive: Located(false, at: SourceLocation(file: "p.yaml", line: 7, column: 3)),
    timeline: Located(.number(TimelineID(2)), at: SourceLocation(file: "p.yaml", line: 8, column: 3)))

  private func parse(_ argument: String) -> (RecoveryTarget?, [String]) {
    let (target, diagnostics) = AdvanceTarget.parse(argument, keeping: planTarget)
    return (target, diagnostics.map { "\($0.location?.description ?? ""): \($0.severity.rawValue): \($0.message)" })
  }

  @Test func eachKindIsParsedAsInAPlan() throws {
    #expect(parse("lsn=0/3007528").0?.kind.value == .lsn(LSN(high: 0, low: 0x300_7528)))
    #expect(parse("xid=740").0?.kind.value == .xid(740))
    #expect(parse("name=test_pirt").0?.kind.value == .name("test_pirt"))
    #expect(parse("name=a=b").0?.kind.value == .name("a=b"), "the value runs to the end")
    let time = try #require(parse("time=2025-12-24 17:53:00-07").0)
    guard case .time(let parsed) = time.kind.value else {
      Issue.record("not a time: \(time.kind.value)")
      return
    }
    #expect(parsed.description == "2025-12-24 17:53:00-07")
  }

  @Test func theTimelineAndInclusiveOfThePlanAreKept() throws {
    let xid = try #require(parse("xid=740").0)
    #expect(xid.timeline.value == .number(TimelineID(2)))
    // The plan's target (a name) has no inclusive: the default applies.
    #expect(xid.inclusive.value == true)
    let exclusive = RecoveryTarget(
      kind: Located(.xid(700), at: planTarget.kind.location), inclusive: planTarget.inclusive,
      timeline: planTarget.timeline)
    #expect(AdvanceTarget.parse("lsn=0/1", keeping: exclusive).target?.inclusive.value == false)
  }

  @Test func badValuesGetThePlansMessages() {
    #expect(
      parse("lsn=0/XYZ").1 == [
        "--to: error: '0/XYZ' is not an LSN; write two hex numbers of 1 to 8 digits separated by '/', as "
          + "PostgreSQL prints them (0/3007528)"
      ])
    #expect(parse("xid=0").1 == ["--to: error: 'target.xid' must be an integer from 1 to 4294967295, not 0"])
    #expect(
      parse("xid=seven").1 == [
        "--to: error: 'target.xid' must be an integer from 1 to 4294967295, not the text \"seven\""
      ])
    #expect(
      parse("name=\(String(repeating: "a", count: 64))").1 == [
        "--to: error: 'target.name' is 64 bytes long; PostgreSQL names are at most 63 bytes"
      ])
    #expect(parse("time=yesterday").0 == nil)
  }

  @Test func kindsAndShapeAreChecked() {
    #expect(
      parse("0/3007528").1 == [
        "--to: error: '0/3007528' is not a target: write KIND=VALUE, where KIND is time, lsn, xid, name "
          + "(for example time='2025-12-24 17:53:00-07')"
      ])
    #expect(
      parse("latest=true").1 == [
        "--to: error: 'latest' is not a kind of target pitr advance moves to; use one of time, lsn, xid, name"
      ])
    #expect(parse("immediate=true").0 == nil)
  }

  @Test func theArgumentForAPlansTarget() {
    #expect(AdvanceTarget.argument(for: .xid(740)) == "xid=740")
    #expect(AdvanceTarget.argument(for: .lsn(LSN(high: 0, low: 0x300_7528))) == "lsn=0/3007528")
    #expect(AdvanceTarget.argument(for: .name("p")) == "name=p")
    #expect(AdvanceTarget.argument(for: .latest) == nil)
  }
}
