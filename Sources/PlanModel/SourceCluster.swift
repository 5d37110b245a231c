/// The cluster the backups were taken from (the plan's `source:` section).
public struct SourceCluster: Hashable, Sendable, Codable {
  /// The cluster's system identifier, checked against backups and WAL page headers.
  public var systemIdentifier: Located<UInt64>?
  /// The major version (`17`), checked against the backup's `PG_VERSION`.
  public var pgVersion: Located<Int>?
  /// A libpq connection string to the live source; never holds a password.
  public var conninfo: Located<String>?
  /// Whether to run `pg_switch_wal()` on the source and wait for that segment in the archive.
  public var switchWAL: Located<Bool>

  public init(
    systemIdentifier: Located<UInt64>?, pgVersion: Located<Int>?, conninfo: Located<String>?,
    switchWAL: Located<Bool>
  ) {
    self.systemIdentifier = systemIdentifier
    self.pgVersion = pgVersion
    self.conninfo = conninfo
    self.switchWAL = switchWAL
  }
}
