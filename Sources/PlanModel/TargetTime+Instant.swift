import Foundation

extension TargetTime {
  /// The instant this time names: in its own zone, or in `defaultZone` when it has none.
  ///
  /// Returns `nil` when the time has no zone and none is given, or the zone is unknown.
  public func instant(defaultZone: TimeZone? = nil) -> Date? {
    let zone: TimeZone?
    switch self.zone {
    case .utcOffset(let seconds): zone = TimeZone(secondsFromGMT: seconds)
    case .named(let name): zone = TimeZone(identifier: name)
    case .unspecified: zone = defaultZone
    }
    guard let zone else { return nil }
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = zone
    let components = DateComponents(
      year: year, month: month, day: day, hour: hour, minute: minute, second: second)
    guard let whole = calendar.date(from: components) else { return nil }
    return whole.addingTimeInterval(Double(microsecond) / 1_000_000)
  }
}
