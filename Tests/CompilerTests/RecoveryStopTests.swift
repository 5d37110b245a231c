import Foundation
import PostgresVocabulary
import Testing
import WAL

@testable import Compiler

/// `recovery stopping …` lines read into values and written back as a server in a given
/// zone and major version writes them.
@Suite struct RecoveryStopTests {
  static let phoenix = TimeZone(identifier: "America/Phoenix")!
  static let kolkata = TimeZone(identifier: "Asia/Kolkata")!
  /// 2026-12-04 17:59:36.987598 UTC.
  static let instant = PostgresTimestamp(postgresText: "2026-12-04 17:59:36.987598+00")!

  @Test func everyKindOfStopLineIsRead() throws {
    let cases: [(String, RecoveryStop)] = [
      (
        "2026-12-04 10:59:37.001 MST [123] LOG:  recovery stopping before commit of transaction 740, time 2026-12-04 10:59:36.987598-07",
        RecoveryStop(kind: .transaction(after: false, outcome: .commit, transactionID: 740), time: Self.instant)
      ),
      (
        "recovery stopping after abort of transaction 9, time 2026-12-04 23:29:36.987598+05:30",
        RecoveryStop(kind: .transaction(after: true, outcome: .abort, transactionID: 9), time: Self.instant)
      ),
      (
        "recovery stopping at restore point \"a, \"quoted\" name\", time 2026-12-04 17:59:36.987598+00",
        RecoveryStop(kind: .restorePoint(name: "a, \"quoted\" name"), time: Self.instant)
      ),
      (
        "recovery stopping before WAL location (LSN) \"0/3003038\"",
        RecoveryStop(kind: .location(after: false, lsn: LSN("0/3003038")!), time: nil)
      ),
      ("recovery stopping after reaching consistency", RecoveryStop(kind: .consistency, time: nil)),
    ]
    for (line, stop) in cases {
      #expect(RecoveryStop(logLine: line) == stop, "\(line)")
    }
    #expect(RecoveryStop(logLine: "recovery has paused") == nil)
    #expect(RecoveryStop(logLine: "recovery stopping before commit of transaction x, time y") == nil)
  }

  @Test func writtenInTheServersZone() {
    let stop = RecoveryStop(kind: .transaction(after: false, outcome: .commit, transactionID: 740), time: Self.instant)
    #expect(
      stop.logMessage(in: Self.phoenix, majorVersion: 17)
        == "recovery stopping before commit of transaction 740, time 2026-12-04 10:59:36.987598-07")
    #expect(
      stop.logMessage(in: Self.kolkata, majorVersion: 17)
        == "recovery stopping before commit of transaction 740, time 2026-12-04 23:29:36.987598+05:30")
    #expect(
      stop.logMessage(in: TimeZone(identifier: "UTC")!, majorVersion: 15)
        == "recovery stopping before commit of transaction 740, time 2026-12-04 17:59:36.987598+00")
    // Summer and winter offsets of one zone: the offset in force at that instant.
    let july = PostgresTimestamp(postgresText: "2026-07-01 12:00:00+00")!
    #expect(july.formatted(in: TimeZone(identifier: "Europe/Madrid")!) == "2026-07-01 14:00:00+02")
    #expect(Self.instant.formatted(in: TimeZone(identifier: "Europe/Madrid")!) == "2026-12-04 18:59:36.987598+01")
  }

  @Test func lsnsAsEachMajorPrintsThem() {
    let stop = RecoveryStop(kind: .location(after: true, lsn: LSN("0/3003038")!), time: nil)
    #expect(
      stop.logMessage(in: Self.phoenix, majorVersion: 18) == "recovery stopping after WAL location (LSN) \"0/3003038\"")
    #expect(
      stop.logMessage(in: Self.phoenix, majorVersion: 19) == "recovery stopping after WAL location (LSN) \"0/03003038\""
    )
  }

  @Test func theServersZoneComesFromThePlanThenTheBackup() {
    #expect(ServerTimeZone(name: "america/phoenix").zone?.identifier == "America/Phoenix")
    #expect(ServerTimeZone(name: "UTC").zone?.secondsFromGMT() == 0)
    // PostgreSQL's default when nothing sets timezone.
    #expect(ServerTimeZone(settings: [], backupTimezone: nil).name == "GMT")
    #expect(ServerTimeZone(settings: [], backupTimezone: "America/Phoenix").name == "America/Phoenix")
    // A zone pitr does not know is printed in UTC; the comparison is by instant anyway.
    let unknown = ServerTimeZone(name: "Mars/Olympus")
    #expect(unknown.zone == nil)
    #expect(unknown.printingZone.secondsFromGMT() == 0)
  }
}
