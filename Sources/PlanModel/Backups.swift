/// Where the backups are (the plan's `backups:` section).
public struct Backups: Hashable, Sendable, Codable {
  /// One `pg_basebackup` output, or a folder tree of them; an absolute path.
  public var base: Located<String>
  /// The WAL archive folders (one or more), flat or in dated sub-folders; absolute paths.
  public var wal: [Located<String>]
  /// Which base backup to restore.
  public var select: Located<BackupSelection>

  public init(base: Located<String>, wal: [Located<String>], select: Located<BackupSelection>) {
    self.base = base
    self.wal = wal
    self.select = select
  }
}

/// How the base backup is chosen.
public enum BackupSelection: Hashable, Sendable, Codable, CustomStringConvertible {
  /// The newest backup that ends before the target and whose WAL reaches it.
  case auto
  /// The newest backup, whatever the target.
  case latest
  /// One backup, by the id `pitr catalog` prints (its path relative to `backups.base`).
  case id(String)

  public var description: String {
    switch self {
    case .auto: "auto"
    case .latest: "latest"
    case .id(let id): id
    }
  }
}
