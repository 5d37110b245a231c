import Foundation
import Testing
import _PITRTestSupport

/// `pitr wal restore-points` over an archive with a timeline switch: every point of every
/// timeline, once, on the timeline that wrote it, checked against `pg_waldump` (LSN) and the
/// server's clock (time).
@Suite(.tags(.integration), .enabled(if: PostgresLab.isAvailable))
struct WALRestorePointsCommandTests {
  /// One row of the table: NAME, LSN, TIME (UTC), TIMELINE, SEGMENT, NOTE.
  struct Row: Equatable, CustomStringConvertible {
    var name: String
    var lsn: String
    var time: String
    var timeline: String
    var segment: String
    var note: String

    var description: String { "\(name) \(lsn) \(time) \(timeline) \(segment) \(note)" }

    /// Cells are separated by two spaces or more (a time has one inside).
    init?(_ line: Substring) {
      let cells = line.split(separator: /\s{2,}/).map { $0.trimmingCharacters(in: .whitespaces) }
      guard cells.count >= 5 else { return nil }
      (name, lsn, time, timeline, segment) = (cells[0], cells[1], cells[2], cells[3], cells[4])
      note = cells.count > 5 ? cells[5] : ""
    }
  }

  static func rows(_ output: String) -> [Row] {
    output.split(separator: "\n").dropFirst().compactMap(Row.init)
  }

  @Test func listsEveryTimelinesPointsOnceWithTheirTimeline() throws {
    let lab = try PostgresLab(name: "wal-rp-timelines", archive: .plainFlat)
    defer { lab.remove() }
    let scenario = try TimelineForkScenario.run(in: lab)
    // On timeline 2, two names timeline 1 used: one before the switch point (on timeline 2's
    // history: a duplicate) and one after it (on the abandoned branch: not a duplicate).
    let clone = scenario.clone
    try clone.sql("SELECT pg_create_restore_point('before-fork')")
    let next = try clone.sql("SELECT pg_walfile_name(pg_create_restore_point('abandoned'))")
    try clone.switchWAL()

    let result = try pitr("wal", "restore-points", "--wal", lab.archiveDirectory, "--no-cache")
    #expect(result.status == 0, "\(result.standardError)")
    let rows = Self.rows(result.standardOutput)
    #expect(
      rows.map { "\($0.timeline) \($0.name)" } == [
        "1 before-fork", "1 fork", "1 abandoned", "2 after-fork", "2 before-fork", "2 abandoned",
      ], "\(result.standardOutput)")

    // LSNs: where pg_waldump finds each RESTORE_POINT record on its own timeline.
    let switchLSN = try #require(PostgresLab.lsn(scenario.switchLSN))
    let onTimeline1 = try lab.waldump([scenario.forkWALFileOnTimeline1], timeline: 1)
    let onTimeline2 = try lab.waldump([scenario.forkWALFileOnTimeline2, next], timeline: 2)
      .filter { $0.lsn >= switchLSN }
    let expected =
      Self.restorePoints(in: onTimeline1).map { (timeline: UInt32(1), $0.name, $0.lsn) }
      + Self.restorePoints(in: onTimeline2).map { (timeline: UInt32(2), $0.name, $0.lsn) }
    #expect(rows.count == expected.count)
    for (row, (timeline, name, lsn)) in zip(rows, expected) {
      #expect(row.timeline == String(timeline) && row.name == name, "\(row)")
      #expect(row.lsn == PostgresLab.lsnText(lsn), "\(row)")
      // Read from its own timeline's file, although timeline 2's copy holds timeline 1's.
      #expect(row.segment == Self.segment(timeline: timeline, holding: lsn), "\(row)")
    }
    #expect(Set(rows.map(\.segment)) == [scenario.forkWALFileOnTimeline1, scenario.forkWALFileOnTimeline2, next])

    // Times: between the server's clock just before and just after each point was made.
    for point in scenario.restorePoints {
      let row = try #require(rows.first { $0.name == point.name && $0.timeline == String(point.timeline) })
      #expect(row.time.hasSuffix("+00"))
      let inside = try lab.sql(
        "SELECT '\(row.time)'::timestamptz BETWEEN '\(point.notBefore)' AND '\(point.notAfter)'")
      #expect(inside == "t", "\(point.name) at \(row.time), made between \(point.notBefore) and \(point.notAfter)")
    }

    // Notes: the abandoned branch is not on timeline 2's history; the second before-fork is a
    // duplicate on it; the second abandoned is not (the first is on another branch).
    #expect(rows[2].note == "not on timeline 2's history: needs 'timeline: 1'")
    #expect(rows[4].note == "duplicate: recovery stops at the first")
    #expect(rows.enumerated().allSatisfy { $0.offset == 2 || $0.offset == 4 || $0.element.note.isEmpty })
  }

  @Test func aTimelinesHistoryOnly() throws {
    let lab = try PostgresLab(name: "wal-rp-history", archive: .gzipFlat)
    defer { lab.remove() }
    let scenario = try TimelineForkScenario.run(in: lab)
    let alongTwo = try pitr(
      "wal", "restore-points", "--wal", lab.archiveDirectory, "--no-cache", "--timeline", "2")
    #expect(alongTwo.status == 0, "\(alongTwo.standardError)")
    #expect(
      Self.rows(alongTwo.standardOutput).map { "\($0.timeline) \($0.name)" }
        == ["1 before-fork", "1 fork", "2 after-fork"])
    let alongOne = try pitr(
      "wal", "restore-points", "--wal", lab.archiveDirectory, "--no-cache", "--timeline", "1")
    #expect(
      Self.rows(alongOne.standardOutput).map { "\($0.timeline) \($0.name)" }
        == ["1 before-fork", "1 fork", "1 abandoned"])

    let json = try pitr("wal", "restore-points", "--wal", lab.archiveDirectory, "--no-cache", "--json")
    #expect(json.status == 0)
    let points = try #require(
      JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [[String: Any]])
    #expect(points.map { $0["restorePoint"] as? String } == ["before-fork", "fork", "abandoned", "after-fork"])
    #expect(points.map { $0["timeline"] as? Int } == [1, 1, 1, 2])
    #expect(points.map { $0["targetTimeline"] as? Int } == [nil, nil, 1, nil])
    let abandoned = try #require(points.first { $0["restorePoint"] as? String == "abandoned" })
    #expect(abandoned["segment"] as? String == scenario.forkWALFileOnTimeline1)
    #expect(abandoned["kind"] as? String == "restore-point")
    #expect(abandoned["duplicate"] as? Bool == false)
    #expect((abandoned["time"] as? String)?.hasSuffix("+00") == true)
    let abandonedEnd = try #require(scenario.restorePoint("abandoned").flatMap { PostgresLab.lsn($0.endLSN) })
    let abandonedStart = try #require((abandoned["lsn"] as? String).flatMap(PostgresLab.lsn))
    #expect(abandonedStart < abandonedEnd && abandonedEnd - abandonedStart < 200)
  }

  /// The name of the 16 MiB segment holding `lsn` on `timeline`.
  static func segment(timeline: UInt32, holding lsn: UInt64) -> String {
    String(format: "%08X%08X%08X", timeline, UInt32(lsn >> 32), UInt32((lsn >> 24) & 0xFF))
  }

  /// The RESTORE_POINT records pg_waldump printed, in order.
  static func restorePoints(in records: [PostgresLab.WaldumpRecord]) -> [(name: String, lsn: UInt64)] {
    records.compactMap { record in
      guard record.resourceManager == "XLOG", record.description.hasPrefix("RESTORE_POINT ") else {
        return nil
      }
      return (String(record.description.dropFirst("RESTORE_POINT ".count)), record.lsn)
    }
  }
}
