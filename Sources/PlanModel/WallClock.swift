/// Calendar arithmetic for times as people and PostgreSQL write them (a date, a time of day,
/// a numeric UTC offset): what a plan's `target.time` and a backup file's timestamps share.
public enum WallClock {
  /// Days in `month` (1 to 12) of `year` in the Gregorian calendar.
  public static func daysIn(month: Int, year: Int) -> Int {
    switch month {
    case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
    case 4, 6, 9, 11: 30
    default: 31
    }
  }

  /// Whether the fields name a real date and time of day (no leap second).
  public static func isValid(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) -> Bool {
    (1...12).contains(month) && (1...daysIn(month: month, year: year)).contains(day)
      && (0...23).contains(hour) && (0...59).contains(minute) && (0...59).contains(second)
  }

  /// Seconds east of UTC of a numeric offset (`-07`, `+05:30`); `nil` when it is out of the
  /// range PostgreSQL accepts (hours up to 15, minutes up to 59).
  public static func utcOffset(negative: Bool, hours: Int, minutes: Int) -> Int? {
    guard (0...15).contains(hours), (0...59).contains(minutes) else { return nil }
    return (hours * 3600 + minutes * 60) * (negative ? -1 : 1)
  }
}
