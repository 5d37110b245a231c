/// PostgreSQL settings that pitr writes itself, so a plan's `destination.settings` may not.
enum ControlledSettings {
  /// Why the setting is not the plan's to set, and where it comes from instead; `nil` when the
  /// plan may set it.
  static func owner(of setting: String) -> String? {
    let name = setting.lowercased()
    if name.hasPrefix("recovery_target") {
      return "pitr writes the recovery target from the 'target' section"
    }
    switch name {
    case "port": return "use 'destination.port'"
    case "data_directory": return "use 'destination.data_directory'"
    case "restore_command":
      return "pitr writes it (pitr wal-fetch); put the archive folders in 'backups.wal'"
    case "archive_mode":
      return "use 'destination.archiving' (off keeps the clone out of the source's archive)"
    case "hot_standby": return "pitr needs hot standby on to follow and check the recovery"
    case "primary_conninfo", "primary_slot_name":
      return "it would make the restored server stream from a primary instead of the archive"
    default: return nil
    }
  }
}
