import Catalog
import Foundation
import Testing
import WAL

/// Reading backup_label's `%Z` abbreviations in the server's `log_timezone`, and printing
/// them as PostgreSQL prints a `timestamptz` (what a plan's `target.time` accepts).
@Suite struct BackupTimestampZoneTests {
  @Test(arguments: [
    ("2026-12-04 11:41:50 MST", "America/Phoenix", "2026-12-04 11:41:50-07"),
    ("2026-07-04 11:41:50 MST", "america/phoenix", "2026-07-04 11:41:50-07"),
    ("2026-12-04 19:41:50 CET", "Europe/Berlin", "2026-12-04 19:41:50+01"),
    ("2026-07-04 19:41:50 CEST", "Europe/Madrid", "2026-07-04 19:41:50+02"),
    ("2026-12-04 13:41:50 EST", "America/New_York", "2026-12-04 13:41:50-05"),
    ("2026-07-04 13:41:50 EDT", "America/New_York", "2026-07-04 13:41:50-04"),
    // The hour repeated when daylight saving time ends: the abbreviation tells them apart.
    ("2026-11-01 01:30:00 EDT", "America/New_York", "2026-11-01 01:30:00-04"),
    ("2026-11-01 01:30:00 EST", "America/New_York", "2026-11-01 01:30:00-05"),
    // IST means three things; the zone says which.
    ("2026-12-04 17:11:50 IST", "Asia/Kolkata", "2026-12-04 17:11:50+05:30"),
    ("2026-07-04 12:00:00 IST", "Europe/Dublin", "2026-07-04 12:00:00+01"),
    ("2026-12-04 12:00:00 IST", "Asia/Jerusalem", "2026-12-04 12:00:00+02"),
  ])
  func abbreviationsAreReadInLogTimezone(written: String, zone: String, printed: String) throws {
    let resolved = BackupTimestamp(written).resolved(logTimezone: zone)
    #expect(resolved.text == printed)
    let instant = try #require(resolved.instant)
    // What pitr prints is what a plan's target.time reads back as the same instant.
    #expect(PostgresTimestamp(postgresText: printed) == instant)
  }

  @Test(arguments: [
    ("2026-11-22 20:32:56 +05", "2026-11-22 20:32:56+05"),
    ("2026-11-22 12:02:56 -0330", "2026-11-22 12:02:56-03:30"),
    ("2026-11-22 15:32:56 UTC", "2026-11-22 15:32:56+00"),
    ("2026-11-22 15:32:56 GMT", "2026-11-22 15:32:56+00"),
  ])
  func utcAndNumericOffsetsNeedNoZone(written: String, printed: String) {
    let resolved = BackupTimestamp(written).resolved(logTimezone: nil)
    #expect(resolved.text == printed)
    #expect(resolved.instant != nil)
  }

  @Test(
    arguments: [
      // log_timezone unset: never guess what CET meant.
      ("2026-12-04 19:41:50 CET", nil),
      // A zone that was not at that abbreviation's offset then.
      ("2026-12-04 19:41:50 CET", "America/Phoenix"),
      ("2026-07-04 13:41:50 EST", "America/New_York"),
      // A wall-clock time that did not exist (the hour skipped in spring).
      ("2026-03-08 02:30:00 EST", "America/New_York"),
      // A zone pitr does not know, and an abbreviation it does not.
      ("2026-12-04 19:41:50 CET", "Mars/Olympus_Mons"),
      ("2026-12-04 19:41:50 XYZT", "Europe/Berlin"),
      ("not a time", "Europe/Berlin"),
    ] as [(String, String?)])
  func unresolvableTimesAreKeptAsWritten(written: String, zone: String?) {
    let resolved = BackupTimestamp(written).resolved(logTimezone: zone)
    #expect(resolved.text == written)
    #expect(resolved.instant == nil)
    #expect(resolved.utcOffset == nil)
  }
}
