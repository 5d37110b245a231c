import Foundation
import Testing

@testable import Execution

/// The end of a run compares the `recovery stopping …` line PostgreSQL logged with the
/// compiler's prediction (`pitr apply` says so in its summary, or in the `finished` event's
/// report with `--json`). The command's text for a mismatch is checked end to end in
/// ``ApplyTests/CommandOutcomes``; here the report itself.
@Suite struct RunReportPredictionTests {
  static let predicted =
    "recovery stopping before commit of transaction 742, time 2025-12-24 17:53:45.123456-07"

  private func report(logged: String?, predicted: String? = predicted) -> RunReport {
    RunReport(outcome: .paused, loggedStop: logged, predictedStop: predicted, checks: [], serverLog: "")
  }

  /// The report as `pitr apply --json` encodes it (sorted keys, slashes as they are).
  private func json(_ report: RunReport) throws -> [String: Any] {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    let data = try encoder.encode(report)
    return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
  }

  @Test func aStopElsewhereIsAMismatchAndBothLinesAreKept() throws {
    let logged = "recovery stopping before commit of transaction 743, time 2025-12-24 17:53:46.000001-07"
    let mismatch = report(logged: logged)

    #expect(!mismatch.predictionMatched)
    let object = try json(mismatch)
    #expect(object["loggedStop"] as? String == logged)
    #expect(object["predictedStop"] as? String == Self.predicted)
    #expect(object["outcome"] as? String == "paused")
    // Decoding gives the same comparison back (a status or a wrapper may read the report).
    let encoder = JSONEncoder()
    let decoded = try JSONDecoder().decode(RunReport.self, from: try encoder.encode(mismatch))
    #expect(!decoded.predictionMatched)
    #expect(decoded.loggedStop == logged)
  }

  @Test func noStopLineLoggedIsAMismatchUnlessNothingWasPredicted() throws {
    let silent = report(logged: nil)
    #expect(!silent.predictionMatched)
    let object = try json(silent)
    #expect(object["loggedStop"] == nil, "a stop nobody logged is left out, not invented")
    #expect(object["predictedStop"] as? String == Self.predicted)
    // `target: latest` predicts no stop line, and PostgreSQL logs none.
    #expect(report(logged: nil, predicted: nil).predictionMatched)
  }

  @Test func theSameLineIsAMatch() {
    #expect(report(logged: Self.predicted).predictionMatched)
    // A stop logged where none was predicted is not silently accepted.
    #expect(!report(logged: Self.predicted, predicted: nil).predictionMatched)
  }
}

/// The stop is compared, not its text: a server in America/Phoenix writes the same instant
/// as `-07` that UTC writes as `+00` (seed 001's cluster logs in MST).
@Suite struct RunReportStopComparisonTests {
  private func matched(_ logged: String, _ predicted: String) -> Bool {
    RunReport(outcome: .promoted, loggedStop: logged, predictedStop: predicted, checks: [], serverLog: "")
      .predictionMatched
  }

  @Test func theSameCommitWrittenInAnotherZoneIsTheSameStop() {
    #expect(
      matched(
        "recovery stopping before commit of transaction 740, time 2026-12-04 10:59:36.987598-07",
        "recovery stopping before commit of transaction 740, time 2026-12-04 17:59:36.987598+00"))
    #expect(
      matched(
        "recovery stopping at restore point \"test_pirt\", time 2026-12-04 23:29:36.5+05:30",
        "recovery stopping at restore point \"test_pirt\", time 2026-12-04 17:59:36.5+00"))
  }

  @Test func anotherInstantTransactionOrKindIsAMismatch() {
    let predicted = "recovery stopping before commit of transaction 740, time 2026-12-04 17:59:36.987598+00"
    // One hour off: the zone read wrongly is a real mismatch, not a formatting one.
    #expect(
      !matched("recovery stopping before commit of transaction 740, time 2026-12-04 10:59:36.987598-06", predicted))
    #expect(
      !matched("recovery stopping before commit of transaction 741, time 2026-12-04 17:59:36.987598+00", predicted))
    #expect(
      !matched("recovery stopping after commit of transaction 740, time 2026-12-04 17:59:36.987598+00", predicted))
    #expect(
      !matched("recovery stopping before abort of transaction 740, time 2026-12-04 17:59:36.987598+00", predicted))
  }

  @Test func lsnsCompareAsPositions() {
    // PostgreSQL 19 pads the low half of an LSN to eight digits.
    #expect(
      matched(
        "recovery stopping after WAL location (LSN) \"0/03003038\"",
        "recovery stopping after WAL location (LSN) \"0/3003038\""))
    #expect(
      !matched(
        "recovery stopping before WAL location (LSN) \"0/3003038\"",
        "recovery stopping after WAL location (LSN) \"0/3003038\""))
  }
}
