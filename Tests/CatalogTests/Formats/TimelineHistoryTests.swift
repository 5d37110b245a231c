import Catalog
import PostgresVocabulary
import Testing

@Suite struct TimelineHistoryTests {
  static func message(_ text: String, timeline: UInt32) -> String? {
    formatErrorMessage {
      try TimelineHistory(parsing: text, timeline: TimelineID(timeline))
    }
  }

  /// The [V15] examples of FORMATS.md §5.4, the time target's with its trailing blank line.
  @Test func readsTheV15TimeTargetExample() throws {
    let text = "1\t0/601CD08\tbefore 2026-11-22 15:33:14.839189+00\n\n"
    let history = try TimelineHistory(parsing: text, timeline: TimelineID(2))
    #expect(
      history.entries == [
        .init(
          timeline: TimelineID(1), switchLSN: LSN("0/601CD08")!,
          reason: "before 2026-11-22 15:33:14.839189+00")
      ])
    #expect(history.startLSN == LSN("0/601CD08"))
  }

  @Test func readsAChainOfAncestors() throws {
    let text = """
      # written by hand

      1\t0/601CD08\tbefore 2026-11-22 15:33:14.839189+00

      2\t0/701DD70\tat restore point "rp1"
      4\t1/0\tno recovery target specified
      """
    let history = try TimelineHistory(parsing: text, timeline: TimelineID(5))
    #expect(history.ancestors == [TimelineID(1), TimelineID(2), TimelineID(4)])
    #expect(history.entries[1].reason == #"at restore point "rp1""#)
    #expect(history.timeline(containing: LSN("0/601CD07")!) == TimelineID(1))
    #expect(history.timeline(containing: LSN("0/601CD08")!) == TimelineID(2))
    #expect(history.timeline(containing: LSN("0/9000000")!) == TimelineID(4))
    #expect(history.timeline(containing: LSN("1/0")!) == TimelineID(5))
  }

  @Test func acceptsLinesWithoutAReasonAndOtherWhitespace() throws {
    let history = try TimelineHistory(parsing: "  1 0/3000000\n", timeline: TimelineID(2))
    #expect(history.entries.first?.reason == "")
    #expect(try TimelineHistory(parsing: "", timeline: TimelineID(2)).entries.isEmpty)
  }

  @Test(arguments: [
    (
      "1\t0/3000000\treason\nx\t0/4000000\n", 3 as UInt32,
      "00000003.history: line 2: expected a timeline number at the start of 'x\t0/4000000'"
    ),
    (
      "1\tsomewhere\n", 2,
      "00000002.history: line 1: expected the switch LSN (X/Y) after timeline 1 in '1\tsomewhere'"
    ),
    ("1\n", 2, "00000002.history: line 1: expected the switch LSN (X/Y) after timeline 1 in '1'"),
    (
      "10/3000000\n", 2,
      "00000002.history: line 1: expected the switch LSN (X/Y) after timeline 10 in '10/3000000'"
    ),
    (
      "2\t0/3000000\n1\t0/4000000\n", 3,
      "00000003.history: line 2: timeline 1 does not follow 2; timelines must increase from "
        + "line to line"
    ),
    (
      "0\t0/3000000\n", 2,
      "00000002.history: line 1: timeline 0 does not follow 0; timelines must increase from "
        + "line to line"
    ),
    (
      "1\t0/3000000\n\n2\t0/4000000\n", 2,
      "00000002.history: line 3: timeline 2 is not lower than the file's own timeline 2"
    ),
    (
      "99999999999\t0/1\n", 2,
      "00000002.history: line 1: expected a timeline number at the start of '99999999999\t0/1'"
    ),
  ])
  func reportsBadLinesWithTheirNumber(text: String, timeline: UInt32, message: String) {
    #expect(Self.message(text, timeline: timeline) == message)
  }
}
