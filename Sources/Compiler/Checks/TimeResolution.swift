import Foundation
import PlanModel
import WAL

/// Reads a plan's `target.time` as PostgreSQL will: a time without a zone is in the backup's
/// `timezone` setting. The text pitr writes always carries an explicit offset, so the server
/// cannot read it differently.
enum TimeResolution {
  struct Resolved {
    var instant: PostgresTimestamp
    var text: String
    var note: String?
  }

  /// The instant and the text to write, or why the time cannot be placed.
  static func resolve(_ time: TargetTime, backupTimezone: String?) -> Result<Resolved, CompileProblem> {
    var zone: TimeZone?
    var note: String?
    switch time.zone {
    case .utcOffset(let seconds): zone = TimeZone(secondsFromGMT: seconds)
    case .named(let name): zone = ServerTimeZone.lookUp(name)
    case .unspecified:
      guard let name = backupTimezone else {
        return .failure(
          CompileProblem(
            "'\(time.text)' has no zone and the backup's configuration does not set timezone; "
              + "add the zone to the time (-07, UTC or America/Phoenix)"))
      }
      guard let backupZone = ServerTimeZone.lookUp(name) else {
        return .failure(
          CompileProblem(
            "'\(time.text)' has no zone and the backup's timezone '\(name)' is not a zone pitr "
              + "knows; add the zone to the time"))
      }
      zone = backupZone
      note = "'\(time.text)' has no zone: read in the backup's timezone \(name)"
    }
    guard let zone, let date = time.instant(defaultZone: zone) else {
      return .failure(CompileProblem("'\(time.text)' is not a time in zone \(zone?.identifier ?? "?")"))
    }
    let instant = PostgresTimestamp(date)
    let text = instant.formatted(utcOffsetSeconds: zone.secondsFromGMT(for: date))
    return .success(Resolved(instant: instant, text: text, note: note.map { "\($0) = \(text)" }))
  }
}
