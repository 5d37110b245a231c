import Foundation

/// Zone names as PostgreSQL reads its `timezone` and `log_timezone` settings.
public enum PostgresTimeZone {
  /// The zone a setting names: a zone name in any case (PostgreSQL matches them without
  /// regard to case), or an abbreviation Foundation knows; `nil` when pitr does not know it.
  public static func lookUp(_ name: String) -> TimeZone? {
    if let zone = TimeZone(identifier: name) { return zone }
    if let identifier = TimeZone.knownTimeZoneIdentifiers.first(where: {
      $0.caseInsensitiveCompare(name) == .orderedSame
    }) {
      return TimeZone(identifier: identifier)
    }
    return TimeZone(abbreviation: name.uppercased())
  }
}
