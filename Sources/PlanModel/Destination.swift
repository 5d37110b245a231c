/// Where the restored cluster goes and how its server is set up (the plan's `destination:`).
public struct Destination: Hashable, Sendable, Codable {
  /// The new data directory; must be absent or empty, and outside the backups.
  public var dataDirectory: Located<String>
  /// The port the restored server listens on.
  public var port: Located<Int>
  /// Where `pg_ctl` and `postgres` are; `nil` means found on `PATH`.
  public var binDir: Located<String>?
  /// The OS user that runs the server when pitr runs as root.
  public var osUser: Located<String>?
  /// New locations for the backup's tablespaces.
  public var tablespaces: [TablespaceMapping]
  /// Extra `postgresql.auto.conf` entries, in plan order.
  public var settings: [Setting]
  /// Whether the restored server may archive WAL.
  public var archiving: Located<Archiving>
  /// Whether pitr applies settings that speed up replay.
  public var recoveryTuning: Located<RecoveryTuning>
  /// How pg_combinebackup writes an incremental chain's files (17+); `nil`: copy.
  public var combineMode: Located<CombineMode>?
  /// Whether pitr decompresses the WAL recovery will ask for into a spool ahead of it;
  /// `nil`: on.
  public var walPrefetch: Located<WALPrefetch>?

  public init(
    dataDirectory: Located<String>, port: Located<Int>, binDir: Located<String>?,
    osUser: Located<String>?, tablespaces: [TablespaceMapping], settings: [Setting],
    archiving: Located<Archiving>, recoveryTuning: Located<RecoveryTuning>,
    combineMode: Located<CombineMode>? = nil, walPrefetch: Located<WALPrefetch>? = nil
  ) {
    self.dataDirectory = dataDirectory
    self.port = port
    self.binDir = binDir
    self.osUser = osUser
    self.tablespaces = tablespaces
    self.settings = settings
    self.archiving = archiving
    self.recoveryTuning = recoveryTuning
    self.combineMode = combineMode
    self.walPrefetch = walPrefetch
  }
}

/// `destination.combine_mode`: pg_combinebackup's way of writing the files it takes whole.
public enum CombineMode: String, Hashable, Sendable, Codable, CaseIterable {
  /// `--copy` (the default, safe everywhere).
  case copy
  /// `--copy-file-range`.
  case copyFileRange = "copy-file-range"
  /// `--clone` (reflinks: Btrfs, XFS).
  case clone
  /// `--link` (18+): hard links into the staged backups, which pitr then removes.
  case link
}

/// One tablespace of the backup moved to a new directory.
public struct TablespaceMapping: Hashable, Sendable, Codable {
  /// How the plan names the tablespace.
  public enum Key: Hashable, Sendable, Codable, CustomStringConvertible {
    case oid(UInt32)
    case name(String)

    public var description: String {
      switch self {
      case .oid(let oid): String(oid)
      case .name(let name): name
      }
    }
  }

  public var tablespace: Located<Key>
  /// The new absolute location.
  public var location: Located<String>

  public init(tablespace: Located<Key>, location: Located<String>) {
    self.tablespace = tablespace
    self.location = location
  }
}

/// One `name = 'value'` line for `postgresql.auto.conf`.
public struct Setting: Hashable, Sendable, Codable {
  public var name: Located<String>
  /// The value as text: a single line, no NUL.
  public var value: Located<String>

  public init(name: Located<String>, value: Located<String>) {
    self.name = name
    self.value = value
  }
}

/// `destination.archiving`.
public enum Archiving: String, Hashable, Sendable, Codable, CaseIterable {
  /// `archive_mode = off`: the restored clone never writes into the source's archive.
  case off
  /// Leave the source's archive settings as the backup has them.
  case keep
}

/// `destination.wal_prefetch`.
public enum WALPrefetch: String, Hashable, Sendable, Codable, CaseIterable {
  /// A `prefetch-wal` step decompresses the segments recovery will ask for into the spool,
  /// beside extraction and then recovery.
  case on
  /// No prefetch: `pitr wal-fetch` reads each segment from the archive when recovery asks.
  case off
}

/// `destination.recovery_tuning`.
public enum RecoveryTuning: String, Hashable, Sendable, Codable, CaseIterable {
  /// Replay with the backup's own settings.
  case off
  /// Settings that speed up replay, reverted after promotion.
  case auto
}
