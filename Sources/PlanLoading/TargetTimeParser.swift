import Foundation
import PlanModel

/// Reads `target.time` values: `YYYY-MM-DD HH:MM[:SS[.ffffff]]`, then optionally a numeric
/// UTC offset (`-07`, `+05:30`, `Z`) or a full tz-database zone name (`America/Phoenix`).
///
/// Zone abbreviations (`EDT`, `MST`) are refused: they are ambiguous, and PostgreSQL cannot
/// read them in `recovery_target_time` when it starts (the abbreviation table is not loaded
/// yet), so a plan that used one would fail only at the restore.
public enum TargetTimeParser {
  /// The JSON Schema pattern of what `parse` accepts (ECMAScript regex syntax).
  static let pattern =
    #"^[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?"#
    + #"( ?(Z|z|[+-][0-9]{2}(:?[0-9]{2})?)| (UTC|GMT|[A-Za-z_]+(/[A-Za-z0-9_+-]+)+))?$"#

  /// Why a text is not a usable time.
  public struct Problem: Error, Equatable {
    public var message: String
    public var notes: [String] = []
  }

  /// Reads a time as `target.time` accepts it (and as `pitr wal find --from/--to` do).
  public static func parse(_ text: String) -> Result<TargetTime, Problem> {
    let shape =
      /(?<year>\d{4})-(?<month>\d{2})-(?<day>\d{2})[ T](?<hour>\d{2}):(?<minute>\d{2})(:(?<second>\d{2})(\.(?<fraction>\d{1,6}))?)?(?<zone>.*)/
    guard let match = text.wholeMatch(of: shape) else {
      return .failure(
        Problem(
          message:
            "'\(text)' is not a time pitr can read; write 'YYYY-MM-DD HH:MM:SS' with an optional "
            + "fraction and zone, as in '2025-12-24 17:53:00-07' or "
            + "'2025-12-24 17:53:00 America/Phoenix'"))
    }
    let year = Int(match.year)!
    let month = Int(match.month)!
    let day = Int(match.day)!
    let hour = Int(match.hour)!
    let minute = Int(match.minute)!
    let second = match.second.map { Int($0)! } ?? 0
    let microsecond =
      match.fraction.map { fraction in
        Int(fraction + String(repeating: "0", count: 6 - fraction.count))!
      } ?? 0
    guard WallClock.isValid(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
    else {
      return .failure(Problem(message: "'\(text)' is not a valid date and time"))
    }
    switch parseZone(String(match.zone)) {
    case .success(let zone):
      return .success(
        TargetTime(
          text: text, year: year, month: month, day: day, hour: hour, minute: minute,
          second: second, microsecond: microsecond, zone: zone))
    case .failure(let problem):
      return .failure(problem)
    }
  }

  private static func parseZone(_ raw: String) -> Result<TargetTime.Zone, Problem> {
    if raw.isEmpty { return .success(.unspecified) }
    let trimmed = raw.hasPrefix(" ") ? String(raw.dropFirst()) : raw
    if trimmed == "Z" || trimmed == "z" { return .success(.utcOffset(seconds: 0)) }
    if let match = trimmed.wholeMatch(of: /(?<sign>[+-])(?<hours>\d{2})(:?(?<minutes>\d{2}))?/) {
      guard
        let seconds = WallClock.utcOffset(
          negative: match.sign == "-", hours: Int(match.hours)!, minutes: match.minutes.map { Int($0)! } ?? 0)
      else {
        return .failure(Problem(message: "UTC offset '\(trimmed)' is out of range (-15 to +15)"))
      }
      return .success(.utcOffset(seconds: seconds))
    }
    guard raw.hasPrefix(" "), trimmed.wholeMatch(of: /[A-Za-z][A-Za-z0-9_+\/-]*/) != nil else {
      return .failure(
        Problem(
          message:
            "cannot read the zone '\(trimmed)'; after the time write a UTC offset such as -07 "
            + "or, after a space, a zone name such as America/Phoenix"))
    }
    if ["UTC", "GMT"].contains(trimmed.uppercased()) { return .success(.named(trimmed.uppercased())) }
    if !trimmed.contains("/") {
      return .failure(abbreviationProblem(trimmed))
    }
    guard TimeZone(identifier: trimmed) != nil else {
      return .failure(
        Problem(
          message:
            "unknown time zone '\(trimmed)'; use a name from the tz database "
            + "(as in pg_timezone_names), such as America/Phoenix or Europe/Madrid"))
    }
    return .success(.named(trimmed))
  }

  private static func abbreviationProblem(_ abbreviation: String) -> Problem {
    var problem = Problem(
      message:
        "time zone abbreviation '\(abbreviation)' is not accepted: abbreviations are ambiguous "
        + "(CST is three different zones) and PostgreSQL cannot read them in "
        + "recovery_target_time; write a UTC offset or a full zone name")
    if let (offset, zone) = commonAbbreviations[abbreviation.uppercased()] {
      problem.notes.append("\(abbreviation) is usually UTC offset \(offset), or the zone \(zone)")
    }
    return problem
  }

  /// Usual meanings of common abbreviations, only to suggest a fix.
  private static let commonAbbreviations: [String: (String, String)] = [
    "EST": ("-05", "America/New_York"), "EDT": ("-04", "America/New_York"),
    "CST": ("-06", "America/Chicago"), "CDT": ("-05", "America/Chicago"),
    "MST": ("-07", "America/Phoenix or America/Denver"), "MDT": ("-06", "America/Denver"),
    "PST": ("-08", "America/Los_Angeles"), "PDT": ("-07", "America/Los_Angeles"),
    "CET": ("+01", "Europe/Paris"), "CEST": ("+02", "Europe/Paris"),
    "BST": ("+01", "Europe/London"), "IST": ("+05:30", "Asia/Kolkata"),
  ]
}
