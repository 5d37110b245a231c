import Foundation
import PostgresVocabulary
import Testing
import WAL
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

/// A `timestamptz` as PostgreSQL prints it at any offset (`2026-11-22 16:44:12.99673+00`,
/// `2026-11-22 09:44:12.99673-07`) or as `pg_waldump` does with `TZ=UTC`
/// (`2026-11-22 16:44:12.996730 UTC`), in microseconds since 2000-01-01 00:00:00 UTC; nil for
/// anything else.
func microsecondsSince2000(_ text: String) -> Int64? {
  let postgresText = text.hasSuffix(" UTC") ? text.dropLast(4) + "+00" : text
  return PostgresTimestamp(postgresText: postgresText)?.microsecondsSince2000
}

/// An LSN printed by PostgreSQL, as a number; records an issue when it is not one.
func lsnValue(_ text: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> UInt64 {
  guard let value = PostgresLab.lsn(text) else {
    Issue.record("'\(text)' is not an LSN", sourceLocation: sourceLocation)
    return 0
  }
  return value
}
