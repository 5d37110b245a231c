import Catalog
import Foundation
import Testing

@Suite struct BackupTimestampTests {
  /// 2026-11-22 15:32:56 UTC.
  static let instant = Date(timeIntervalSince1970: 1_795_361_576)

  @Test(arguments: [
    ("2026-11-22 15:32:56 UTC", 0), ("2026-11-22 15:32:56 GMT", 0),
    ("2026-11-22 15:32:56Z", 0), ("2026-11-22 20:32:56 +05", 5 * 3600),
    ("2026-11-22 21:02:56 +0530", 19_800), ("2026-11-22 21:02:56 +05:30", 19_800),
    ("2026-11-22 12:02:56 -0330", -12_600),
  ])
  func readsUTCAndNumericZones(text: String, offset: Int) {
    let timestamp = BackupTimestamp(text)
    #expect(timestamp.text == text)
    #expect(timestamp.date == Self.instant)
  }

  @Test(arguments: [
    "2026-11-22 15:32:56 CET", "2026-11-22 15:32:56 EST", "2026-11-22 15:32:56",
    "2026-13-22 15:32:56 UTC", "2026-02-29 15:32:56 UTC", "2026-11-22 24:00:00 UTC",
    "yesterday", "", "2026-11-22 15:32:56 +99",
  ])
  func keepsOnlyTheTextOtherwise(text: String) {
    let timestamp = BackupTimestamp(text)
    #expect(timestamp.text == text)
    #expect(timestamp.date == nil)
  }

  @Test func handlesLeapDaysAndEarlyDates() {
    #expect(
      BackupTimestamp("2024-02-29 00:00:00 UTC").date
        == Date(timeIntervalSince1970: 1_709_164_800))
    #expect(BackupTimestamp("1970-01-01 00:00:00 UTC").date == Date(timeIntervalSince1970: 0))
    #expect(
      BackupTimestamp("1969-12-31 23:59:59 UTC").date == Date(timeIntervalSince1970: -1))
  }
}
