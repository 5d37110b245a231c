import Foundation

/// A time as backup files write it (`2026-11-22 15:32:56 UTC`): the text, and the instant
/// when the zone can be read without a time-zone database.
///
/// backup_label writes its times in the server's `log_timezone` abbreviation (`%Z`), which
/// can be `UTC`, `GMT`, a numeric offset (`+05`, `-0330`) or a name such as `CET` or `EST`
/// that means different things in different places. Only the first three are turned into
/// a `date`; the text is always kept.
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

  private static func parse(_ text: String) -> Date? {
    let shape =
      #/
      (?<year>\d{4}) - (?<month>\d{2}) - (?<day>\d{2}) \x20
      (?<hour>\d{2}) : (?<minute>\d{2}) : (?<second>\d{2}) \x20? (?<zone>.*)
      /#
    guard let match = text.wholeMatch(of: shape),
      let offset = utcOffset(String(match.zone))
    else { return nil }
    let (year, month, day) = (Int(match.year)!, Int(match.month)!, Int(match.day)!)
    let (hour, minute, second) = (Int(match.hour)!, Int(match.minute)!, Int(match.second)!)
    guard (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day),
      hour <= 23, minute <= 59, second <= 59
    else { return nil }
    let seconds =
      daysSinceEpoch(year: year, month: month, day: day) * 86_400
      + hour * 3600 + minute * 60 + second - offset
    return Date(timeIntervalSince1970: TimeInterval(seconds))
  }

  /// Seconds east of UTC for `UTC`, `GMT`, `Z`, `+05`, `-0330`, `+05:30`; `nil` otherwise.
  private static func utcOffset(_ zone: String) -> Int? {
    if ["UTC", "GMT", "Z", "UCT"].contains(zone.uppercased()) { return 0 }
    guard let match = zone.wholeMatch(of: /(?<sign>[+-])(?<hours>\d{2})(:?(?<minutes>\d{2}))?/)
    else { return nil }
    let hours = Int(match.hours)!
    let minutes = match.minutes.map { Int($0)! } ?? 0
    guard hours <= 15, minutes <= 59 else { return nil }
    return (hours * 3600 + minutes * 60) * (match.sign == "-" ? -1 : 1)
  }

  private static func daysIn(month: Int, year: Int) -> Int {
    switch month {
    case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
    case 4, 6, 9, 11: 30
    default: 31
    }
  }

  /// Days from 1970-01-01 in the proleptic Gregorian calendar (Howard Hinnant's algorithm).
  private static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
    let shiftedYear = month <= 2 ? year - 1 : year
    let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
    let yearOfEra = shiftedYear - era * 400
    let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
    let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
    return era * 146_097 + dayOfEra - 719_468
  }
}
