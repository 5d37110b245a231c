import Foundation
import PostgresVocabulary
import Testing

@testable import Execution

/// The progress lines a restore shows while it runs: extraction (`TransferRate`, fed with
/// `ExtractionProgress`) and replay (`ReplayProgress`). On a terminal they are rewritten in
/// place; with `--json` each is the `message` of a `progress` event.
@Suite struct ProgressTextTests {
  private static let mib: Int64 = 1 << 20
  private static let start = Date(timeIntervalSinceReferenceDate: 800_000_000)

  private func line(_ done: Int64, of total: Int64, after seconds: Double) -> String {
    TransferRate(started: Self.start).describe(
      ExtractionProgress(bytesWritten: done, totalBytes: total, currentFile: "base/1/1259"),
      now: Self.start.addingTimeInterval(seconds))
  }

  @Test func bytesShareRateAndTimeLeft() {
    // 400 of 1000 MiB in 4 s: 100 MiB/s, so 600 MiB take 6 s more.
    #expect(
      line(400 * Self.mib, of: 1000 * Self.mib, after: 4)
        == "400.0 MiB of 1000.0 MiB (40%), 100.0 MiB/s, about 6 s left")
    // The shares are rounded down, the time left up (never "about 0 s left" before the end).
    #expect(line(2 * Self.mib - 1, of: 2 * Self.mib, after: 1) == "2.0 MiB of 2.0 MiB (99%), 2.0 MiB/s, about 1 s left")
    #expect(line(512, of: 1024, after: 1) == "512 bytes of 1.0 KiB (50%), 512 bytes/s, about 1 s left")
  }

  @Test func noRateInTheFirstHalfSecondNorBeforeTheFirstByte() {
    #expect(line(300 * Self.mib, of: 1000 * Self.mib, after: 0.4) == "300.0 MiB of 1000.0 MiB (30%)")
    #expect(line(0, of: 1000 * Self.mib, after: 30) == "0 bytes of 1000.0 MiB (0%)")
    // A backup with nothing to extract has no share either.
    #expect(line(0, of: 0, after: 0) == "0 bytes of 0 bytes")
  }

  @Test func theEndHasNoTimeLeftAndAnEstimateTooLowIsRaised() {
    #expect(line(1 << 30, of: 1 << 30, after: 2) == "1.0 GiB of 1.0 GiB (100%), 512.0 MiB/s")
    // The total is an estimate: more written than expected shows as done, never above 100%.
    #expect(line(3 * Self.mib, of: 2 * Self.mib, after: 1) == "3.0 MiB of 3.0 MiB (100%), 3.0 MiB/s")
  }

  @Test func longWaitsAreSaidInMinutesAndHours() {
    // 1 GiB of 1 TiB in 10 s: 102.4 MiB/s, 1023 GiB left take 10230 s = 2 h 50 min 30 s.
    #expect(line(1 << 30, of: 1 << 40, after: 10) == "1.0 GiB of 1.0 TiB (0%), 102.4 MiB/s, about 2 h 50 min left")
    #expect(
      [0, 45, 59, 60, 200, 3599, 3600, 3659, 3900, 90_000].map { TransferRate.duration(Double($0)) } == [
        "0 s", "45 s", "59 s", "1 min", "3 min 20 s", "59 min 59 s", "1 h", "1 h", "1 h 5 min", "25 h",
      ])
  }

  @Test func eachReportOfAnExtractionReadsAsItsOwnLine() {
    // The reports of one extraction, as ProgressMeter makes them, through one TransferRate.
    let rate = TransferRate(started: Self.start)
    let reports = [(10, 1.0), (20, 2.0), (30, 3.0)].map { megabytes, seconds in
      rate.describe(
        ExtractionProgress(bytesWritten: Int64(megabytes) * Self.mib, totalBytes: 30 * Self.mib, currentFile: "x"),
        now: Self.start.addingTimeInterval(seconds))
    }
    #expect(
      reports == [
        "10.0 MiB of 30.0 MiB (33%), 10.0 MiB/s, about 2 s left",
        "20.0 MiB of 30.0 MiB (66%), 10.0 MiB/s, about 1 s left",
        "30.0 MiB of 30.0 MiB (100%), 10.0 MiB/s",
      ])
  }

  @Test func replayIsShownAgainstThePredictedStop() {
    #expect(
      ReplayProgress.describe(replayed: "0/3000060", predictedStop: LSN(rawValue: 0x300_01A8))
        == "replayed up to 0/3000060, stopping at 0/30001A8")
    // `target: latest` has no predicted stop: only how far replay came.
    #expect(ReplayProgress.describe(replayed: "0/3000060", predictedStop: nil) == "replayed up to 0/3000060")
  }
}
