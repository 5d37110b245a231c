import Foundation
import Testing
import _PITRTestSupport

extension PostgresLab {
  /// Removes the lab, recording an issue for anything left running.
  ///
  /// Stops every server, expects `pg_ctl status` to find none of them running, deletes the
  /// lab, and expects no process to mention its folder any more. For `defer`.
  func removeExpectingNothingRunning() {
    stopAll()
    for server in servers {
      #expect(!server.isRunning, "\(server.name) still runs on \(server.dataDirectory)")
    }
    let path = directory.path
    remove()
    #expect(!FileManager.default.fileExists(atPath: path), "\(path) was not deleted")
    #expect(PostgresLab.processes(mentioning: path).isEmpty, "processes left in \(path)")
  }
}

/// A `timestamptz` as PostgreSQL prints it in UTC (`2026-11-22 16:44:12.99673+00`) or as
/// `pg_waldump` does with `TZ=UTC` (`2026-11-22 16:44:12.996730 UTC`), in microseconds since
/// 2000-01-01 00:00:00 UTC; nil for anything else.
func microsecondsSince2000(_ text: String) -> Int64? {
  var rest = Substring(text)
  if rest.hasSuffix("+00") {
    rest = rest.dropLast(3)
  } else if rest.hasSuffix(" UTC") {
    rest = rest.dropLast(4)
  } else {
    return nil
  }
  let halves = rest.split(separator: " ")
  guard halves.count == 2 else { return nil }
  let date = halves[0].split(separator: "-").compactMap { Int($0) }
  let clock = halves[1].split(separator: ".", omittingEmptySubsequences: false)
  let hms = clock[0].split(separator: ":").compactMap { Int($0) }
  guard date.count == 3, hms.count == 3, clock.count <= 2 else { return nil }
  var fraction = clock.count == 2 ? String(clock[1]) : ""
  guard fraction.count <= 6, fraction.allSatisfy(\.isNumber) else { return nil }
  fraction += String(repeating: "0", count: 6 - fraction.count)
  var parts = tm()
  parts.tm_year = Int32(date[0] - 1900)
  parts.tm_mon = Int32(date[1] - 1)
  parts.tm_mday = Int32(date[2])
  parts.tm_hour = Int32(hms[0])
  parts.tm_min = Int32(hms[1])
  parts.tm_sec = Int32(hms[2])
  let unixSeconds = Int64(timegm(&parts))
  return (unixSeconds - 946_684_800) * 1_000_000 + Int64(fraction)!
}

/// An LSN printed by PostgreSQL, as a number; records an issue when it is not one.
func lsnValue(_ text: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> UInt64 {
  guard let value = PostgresLab.lsn(text) else {
    Issue.record("'\(text)' is not an LSN", sourceLocation: sourceLocation)
    return 0
  }
  return value
}
