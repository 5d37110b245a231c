/// A `target.time` as written in the plan: a wall-clock date and time, and the zone it is in.
///
/// Without a zone the time is read in the backup's `timezone` setting; that needs the
/// catalog, so the compiler resolves it, and the written `recovery_target_time` always
/// carries an explicit offset.
public struct TargetTime: Hashable, Sendable, Codable, CustomStringConvertible {
  /// How the zone was given.
  public enum Zone: Hashable, Sendable, Codable {
    /// A numeric UTC offset (`-07`, `+05:30`, `Z`), in seconds east of UTC.
    case utcOffset(seconds: Int)
    /// A full zone name from the tz database (`America/Phoenix`, `UTC`).
    case named(String)
    /// No zone: resolved later in the backup's `timezone`.
    case unspecified
  }

  /// The text as written (after interpolation).
  public var text: String
  public var year: Int
  public var month: Int
  public var day: Int
  public var hour: Int
  public var minute: Int
  public var second: Int
  /// Fractional seconds, in microseconds (PostgreSQL's resolution).
  public var microsecond: Int
  public var zone: Zone

  public init(
    text: String, year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int,
    microsecond: Int, zone: Zone
  ) {
    self.text = text
    self.year = year
    self.month = month
    self.day = day
    self.hour = hour
    self.minute = minute
    self.second = second
    self.microsecond = microsecond
    self.zone = zone
  }

  public var description: String { text }
}
