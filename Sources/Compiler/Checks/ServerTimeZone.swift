import Foundation
import PlanModel
import WAL

/// The zone the restored server prints times in: its `timezone` setting, from the plan's
/// `destination.settings` or else the backup's configuration (PostgreSQL's own default,
/// GMT, when neither sets it). The startup process writes `recovery stopping … time T` and
/// `last completed transaction was at log time T` in this zone.
public struct ServerTimeZone: Hashable, Sendable {
  /// The setting's value as written (`America/Phoenix`, `UTC`), or `GMT` when unset.
  public var name: String
  /// The zone; nil when pitr does not know the name (times are then shown in UTC).
  public var zone: TimeZone?

  /// The zone for a plan's destination settings and the backup's `timezone` setting.
  init(settings: [Setting], backupTimezone: String?) {
    let name = settings.last { $0.name.value.lowercased() == "timezone" }?.value.value ?? backupTimezone ?? "GMT"
    self.init(name: name)
  }

  /// A `timezone` value as PostgreSQL reads it: a zone name in any case, or an abbreviation.
  public init(name: String) {
    self.name = name
    zone = Self.lookUp(name)
  }

  /// The zone to print in: the server's, or UTC when pitr does not know it.
  public var printingZone: TimeZone { zone ?? TimeZone(identifier: "UTC")! }

  static func lookUp(_ name: String) -> TimeZone? { PostgresTimeZone.lookUp(name) }
}
