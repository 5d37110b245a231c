/// Where the backups are (the plan's `backups:` section).
public struct Backups: Hashable, Sendable, Codable {
  /// One `pg_basebackup` output, or a folder tree of them: a local folder, S3 or SSH.
  public var baseLocation: Located<RepositoryLocation>
  /// The WAL archive folders (one or more), flat or in dated sub-folders; each local, S3 or SSH.
  public var walLocations: [Located<RepositoryLocation>]
  /// Which base backup to restore.
  public var select: Located<BackupSelection>
  /// The `backups.s3:` block, when the plan has one.
  public var s3: S3Options?

  public init(
    base: Located<RepositoryLocation>, wal: [Located<RepositoryLocation>],
    select: Located<BackupSelection>, s3: S3Options? = nil
  ) {
    self.baseLocation = base
    self.walLocations = wal
    self.select = select
    self.s3 = s3
  }

  /// Local folders only (absolute paths).
  public init(base: Located<String>, wal: [Located<String>], select: Located<BackupSelection>) {
    self.init(
      base: base.map { .local(path: $0) }, wal: wal.map { $0.map { .local(path: $0) } },
      select: select)
  }

  /// `backups.base` as written (normalized): a path, or an `s3://` or `ssh://` URL.
  public var base: Located<String> { baseLocation.map(\.description) }
  /// Each of `backups.wal` as written (normalized).
  public var wal: [Located<String>] { walLocations.map { $0.map(\.description) } }

  /// Every location the plan names, base first.
  public var allLocations: [Located<RepositoryLocation>] { [baseLocation] + walLocations }

  /// The locations this machine cannot read as folders (S3, SSH).
  public var remoteLocations: [Located<RepositoryLocation>] {
    allLocations.filter { $0.value.localPath == nil }
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
