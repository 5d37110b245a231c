import Foundation

/// A PostgreSQL `TimestampTz` as WAL stores it: microseconds since 2000-01-01 00:00:00 UTC.
public struct PostgresTimestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
  /// Seconds between 1970-01-01 and 2000-01-01.
  static let epochOffset: Int64 = 946_684_800

  public var microsecondsSince2000: Int64

  public init(microsecondsSince2000: Int64) {
    self.microsecondsSince2000 = microsecondsSince2000
  }

  /// The timestamp of a `Date`, to the microsecond.
  public init(_ date: Date) {
    let microseconds = (date.timeIntervalSince1970 * 1_000_000).rounded()
    microsecondsSince2000 = Int64(microseconds) - Self.epochOffset * 1_000_000
  }

  public var date: Date {
    Date(timeIntervalSince1970: Double(microsecondsSince2000) / 1_000_000 + Double(Self.epochOffset))
  }

  /// As PostgreSQL prints it in UTC: `2025-12-24 17:53:45.880038+00` (trailing zeros of the
  /// fraction dropped, no fraction when it is zero).
  public var description: String { formatted(utcOffsetSeconds: 0) }

  /// As PostgreSQL prints it at a fixed UTC offset: `2025-12-24 17:53:45.880038-07`.
  public func formatted(utcOffsetSeconds offset: Int) -> String {
    let total = microsecondsSince2000 + Int64(offset) * 1_000_000
    let microseconds = ((total % 1_000_000) + 1_000_000) % 1_000_000
    let seconds = (total - microseconds) / 1_000_000 + Self.epochOffset
    var days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
    let secondOfDay = seconds - days * 86_400
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    days += 719_468
    let era = (days >= 0 ? days : days - 146_096) / 146_097
    let dayOfEra = days - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let monthIndex = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
    let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
    let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
    var text =
      "\(year)-\(two(month))-\(two(day)) \(two(secondOfDay / 3600)):"
      + "\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60))"
    if microseconds != 0 {
      var fraction = String(microseconds)
      fraction = String(repeating: "0", count: 6 - fraction.count) + fraction
      while fraction.hasSuffix("0") { fraction.removeLast() }
      text += "." + fraction
    }
    let sign = offset < 0 ? "-" : "+"
    let magnitude = abs(offset)
    text += sign + two(Int64(magnitude / 3600))
    if magnitude % 3600 != 0 { text += ":" + two(Int64(magnitude / 60 % 60)) }
    return text
  }

  public static func < (lhs: PostgresTimestamp, rhs: PostgresTimestamp) -> Bool {
    lhs.microsecondsSince2000 < rhs.microsecondsSince2000
  }
}

extension PostgresTimestamp: Codable {
  /// Encoded as PostgreSQL prints it in UTC (`2025-12-24 17:53:45.880038+00`).
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(description)
  }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    let text = try container.decode(String.self)
    guard let parsed = Self(utcText: text) else {
      throw DecodingError.dataCorruptedError(
        in: container, debugDescription: "'\(text)' is not a timestamp in UTC (+00)")
    }
    self = parsed
  }

  /// Parses the UTC form `description` prints.
  init?(utcText text: String) {
    guard text.hasSuffix("+00") else { return nil }
    self.init(postgresText: text)
  }
}

extension PostgresTimestamp {
  /// As PostgreSQL prints it in `zone` (ISO DateStyle, with the offset in force at that
  /// instant): `2026-12-04 10:59:36.987598-07` in America/Phoenix.
  public func formatted(in zone: TimeZone) -> String {
    formatted(utcOffsetSeconds: zone.secondsFromGMT(for: date))
  }

  /// Parses a timestamp as PostgreSQL prints one in ISO DateStyle, at any offset:
  /// `2026-12-04 10:59:36.987598-07`, `2026-12-04 23:29:36+05:30`, `2026-12-04 17:59:36+00`.
  /// The same instant written in two zones parses to equal values.
  public init?(postgresText text: String) {
    guard
      let match = text.wholeMatch(
        of: /(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?([+-])(\d{2})(?::(\d{2}))?(?::(\d{2}))?/),
      let year = Int64(match.1), let month = Int64(match.2), let day = Int64(match.3),
      let hour = Int64(match.4), let minute = Int64(match.5), let second = Int64(match.6),
      (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 60
    else { return nil }
    let fraction = match.7.map { String($0) + String(repeating: "0", count: 6 - $0.count) } ?? "0"
    let offsetHours = Int64(match.9) ?? 0
    let offsetMinutes = match.10.flatMap { Int64($0) } ?? 0
    let offsetSeconds = match.11.flatMap { Int64($0) } ?? 0
    let offset = (match.8 == "-" ? -1 : 1) * (offsetHours * 3600 + offsetMinutes * 60 + offsetSeconds)
    let local =
      Self.daysSince1970(year: year, month: month, day: day) * 86_400
      + hour * 3600 + minute * 60 + second
    let utc = local - offset - Self.epochOffset
    self.init(microsecondsSince2000: utc * 1_000_000 + (Int64(fraction) ?? 0))
  }

  /// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm, the
  /// inverse of the one `formatted(utcOffsetSeconds:)` uses).
  public static func daysSince1970(year: Int64, month: Int64, day: Int64) -> Int64 {
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yearOfEra = y - era * 400
    let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
    let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
    return era * 146_097 + dayOfEra - 719_468
  }
}
