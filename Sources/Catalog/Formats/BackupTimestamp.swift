import Foundation
import PlanModel
import WAL

/// A time as backup files write it (`2026-11-22 15:32:56 UTC`): the text, and the instant
/// when the zone can be read without a time-zone database.
///
/// backup_label writes its times in the server's `log_timezone` abbreviation (`%Z`), which
/// can be `UTC`, `GMT`, a numeric offset (`+05`, `-0330`) or a name such as `CET` or `EST`
/// that means different things in different places. Only the first three are turned into
/// a `date`; `resolved(logTimezone:)` reads the others in the server's `log_timezone`, and
/// the text is always kept.
public struct BackupTimestamp: Hashable, Sendable, CustomStringConvertible {
  /// The text as written.
  public var text: String
  /// The instant, or `nil` when the text is not `YYYY-MM-DD HH:MM:SS` followed by `UTC`,
  /// `GMT`, `Z` or a numeric offset.
  public var date: Date?

  /// Keeps `text` and reads the instant from it if it can.
  public init(_ text: String) {
    self.text = text
    self.date = BackupTimestamp.parse(text)
  }

  public var description: String { text }

  /// The time as pitr prints it, read in the zone the server wrote it in.
  public struct Resolved: Hashable, Sendable {
    /// As PostgreSQL prints a `timestamptz` with the offset the server was at
    /// (`2026-12-04 11:41:50-07`), which a plan's `target.time` accepts as is; the text as
    /// written when the zone is unknown.
    public var text: String
    /// The instant; `nil` when the zone is unknown.
    public var instant: PostgresTimestamp?
    /// Seconds east of UTC the server was at; `nil` when the zone is unknown.
    public var utcOffset: Int?
  }

  /// Reads the time in `logTimezone`, the server's `log_timezone` setting (the zone whose
  /// abbreviation `%Z` wrote): `UTC`, `GMT` and numeric offsets need no zone; an
  /// abbreviation such as `MST` or `CET` is read only when the zone was at an offset that
  /// abbreviation means at that wall-clock time (so `EST` and `EDT` of the hour repeated
  /// when daylight saving time ends are told apart). Otherwise the text is kept as written.
  public func resolved(logTimezone: String?) -> Resolved {
    let unknown = Resolved(text: text, instant: nil, utcOffset: nil)
    guard let (local, zoneText) = Self.wallClock(text) else { return unknown }
    let offset: Int
    if let fixed = Self.utcOffset(zoneText) {
      offset = fixed
    } else {
      guard let name = logTimezone, let zone = PostgresTimeZone.lookUp(name) else { return unknown }
      func offsetAt(_ seconds: Int) -> Int {
        zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(seconds)))
      }
      // The offsets the abbreviation means, and (where Foundation knows real abbreviations)
      // the zone's own offsets around that day whose abbreviation is the one written.
      var candidates = Set(Self.abbreviationOffsets[zoneText] ?? [])
      for nearby in [local - 86_400, local, local + 86_400] {
        let candidate = offsetAt(nearby)
        let instant = Date(timeIntervalSince1970: TimeInterval(local - candidate))
        if zone.abbreviation(for: instant) == zoneText { candidates.insert(candidate) }
      }
      let consistent = candidates.filter { offsetAt(local - $0) == $0 }
      guard consistent.count == 1, let only = consistent.first else { return unknown }
      offset = only
    }
    let instant = PostgresTimestamp(
      microsecondsSince2000: (Int64(local - offset) - 946_684_800) * 1_000_000)
    return Resolved(
      text: instant.formatted(utcOffsetSeconds: offset), instant: instant, utcOffset: offset)
  }

  /// Seconds east of UTC of the alphabetic abbreviations the time-zone database gives zones
  /// (what `%Z` writes), with every meaning of the ambiguous ones (`IST` is Irish, Israel
  /// and India Standard Time); the zone decides which one applies.
  static let abbreviationOffsets: [String: [Int]] = [
    "WET": [0], "WEST": [3600], "BST": [3600], "IST": [3600, 7200, 19_800],
    "CET": [3600], "CEST": [7200], "MET": [3600], "MEST": [7200],
    "EET": [7200], "EEST": [10_800], "MSK": [10_800], "IDT": [10_800],
    "WAT": [3600], "CAT": [7200], "SAST": [7200], "EAT": [10_800],
    "PKT": [18_000], "WIB": [25_200], "WITA": [28_800], "WIT": [32_400],
    "HKT": [28_800], "PHT": [28_800], "JST": [32_400], "KST": [32_400],
    "AWST": [28_800], "ACST": [34_200], "ACDT": [37_800], "AEST": [36_000], "AEDT": [39_600],
    "NZST": [43_200], "NZDT": [46_800], "ChST": [36_000], "SST": [-39_600],
    "HST": [-36_000], "HDT": [-32_400], "AKST": [-32_400], "AKDT": [-28_800],
    "PST": [-28_800, 28_800], "PDT": [-25_200, 32_400], "MST": [-25_200], "MDT": [-21_600],
    "CST": [-21_600, -18_000, 28_800], "CDT": [-18_000, -14_400],
    "EST": [-18_000], "EDT": [-14_400], "AST": [-14_400], "ADT": [-10_800],
    "NST": [-12_600], "NDT": [-9000],
  ]

  private static func parse(_ text: String) -> Date? {
    guard let (local, zone) = wallClock(text), let offset = utcOffset(zone) else { return nil }
    return Date(timeIntervalSince1970: TimeInterval(local - offset))
  }

  /// The wall-clock time as seconds since 1970-01-01 read as if in UTC, and the zone text
  /// after it; `nil` when the text is not `YYYY-MM-DD HH:MM:SS zone`.
  private static func wallClock(_ text: String) -> (seconds: Int, zone: String)? {
    let shape =
      #/
      (?<year>\d{4}) - (?<month>\d{2}) - (?<day>\d{2}) \x20
      (?<hour>\d{2}) : (?<minute>\d{2}) : (?<second>\d{2}) \x20? (?<zone>.*)
      /#
    guard let match = text.wholeMatch(of: shape) else { return nil }
    let (year, month, day) = (Int(match.year)!, Int(match.month)!, Int(match.day)!)
    let (hour, minute, second) = (Int(match.hour)!, Int(match.minute)!, Int(match.second)!)
    guard WallClock.isValid(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
    else { return nil }
    let seconds =
      Int(PostgresTimestamp.daysSince1970(year: Int64(year), month: Int64(month), day: Int64(day))) * 86_400
      + hour * 3600 + minute * 60 + second
    return (seconds, String(match.zone))
  }

  /// Seconds east of UTC for `UTC`, `GMT`, `Z`, `+05`, `-0330`, `+05:30`; `nil` otherwise.
  private static func utcOffset(_ zone: String) -> Int? {
    if ["UTC", "GMT", "Z", "UCT"].contains(zone.uppercased()) { return 0 }
    guard let match = zone.wholeMatch(of: /(?<sign>[+-])(?<hours>\d{2})(:?(?<minutes>\d{2}))?/)
    else { return nil }
    return WallClock.utcOffset(
      negative: match.sign == "-", hours: Int(match.hours)!, minutes: match.minutes.map { Int($0)! } ?? 0)
  }
}
