import PostgresVocabulary

/// One base backup as the catalog found it, read without extracting it.
public struct BaseBackup: Hashable, Sendable, Codable {
  /// Its path relative to `backups.base` (`2025/07/01`), or `.` when the folder is the backup.
  public var id: String
  /// The folder holding it.
  public var path: String
  /// `tar` (`base.tar[.gz]` and friends) or `plain` (a data directory).
  public var format: Format
  /// The compression of its tar files (`none`, `gzip`); `none` for plain backups.
  public var compression: String
  /// Its files: the base archive, `pg_wal.tar`, tablespace archives, the manifest.
  public var files: [BackupFile]
  /// The bytes it takes on disk.
  public var sizeOnDisk: Int64
  /// The bytes it takes once extracted (from the manifest, else the tar entries).
  public var expandedSize: Int64?
  /// `PG_VERSION`: the major version.
  public var pgVersion: Int?
  /// What `backup_label` says.
  public var label: Label
  /// Where and when it stopped (from the archive's `.backup` file, else the manifest).
  public var stop: Stop?
  /// What its `global/pg_control` says.
  public var control: Control?
  /// The state of its `backup_manifest`.
  public var manifest: ManifestState
  /// `tablespace_map`: the tablespaces' OIDs and original locations.
  public var tablespaces: [Tablespace]
  /// The `timezone` setting in its `postgresql.conf` / `postgresql.auto.conf`, used to read
  /// a target time written without a zone.
  public var timezone: String?
  /// The `log_timezone` setting there: the zone whose abbreviation `backup_label` and the
  /// `.backup` file write their times in (`MST`, `CET`).
  public var logTimezone: String?
  /// The `unix_socket_directories` setting there, as written (`'/var/run/postgresql'`,
  /// comma-separated): where the server makes its sockets once pitr hands it over.
  public var socketDirectories: String? = nil
  /// The texts of the backup's `postgresql.auto.conf` and `pg_hba.conf`, by those names, as
  /// they are in the backup (a missing key: the backup has no such file, as when Debian keeps
  /// pg_hba.conf in /etc). The compiler writes the restored files from them, byte for byte.
  public var configurationFiles: [String: String] = [:]
  /// WAL segments the backup carries itself (`-X stream` or `-X fetch`).
  public var includedSegments: [WALSegmentName]
  /// Set for an incremental backup (`pg_basebackup --incremental`, 17+): it cannot be
  /// restored alone, only combined with its chain by `pg_combinebackup`.
  public var incremental: Incremental?

  public enum Format: String, Hashable, Sendable, Codable {
    case tar, plain
  }

  /// One file of the backup folder.
  public struct BackupFile: Hashable, Sendable, Codable {
    public enum Role: String, Hashable, Sendable, Codable {
      case base, wal, tablespace, manifest, other
    }

    public var name: String
    public var role: Role
    public var size: Int64
    /// The store's version of the file (an S3 ETag), `nil` for a file on this machine.
    public var version: String? = nil
  }

  /// The lines of `backup_label` a restore depends on.
  public struct Label: Hashable, Sendable, Codable {
    /// `START WAL LOCATION`: where recovery starts reading (the start checkpoint's redo).
    public var startLSN: LSN
    /// `CHECKPOINT LOCATION`.
    public var checkpointLSN: LSN
    /// `START TIMELINE`.
    public var startTimeline: TimelineID
    /// `START TIME` as PostgreSQL prints a `timestamptz` with the offset the server was at
    /// (`2026-12-04 11:41:50-07`), read in the backup's `log_timezone`; as written when that
    /// zone is unknown (`startTimeZoneUnknown`).
    public var startTime: String?
    /// `START TIME` as written (`2026-12-04 11:41:50 MST`, in the source's log_timezone).
    public var startTimeAsWritten: String?
    /// `true` when `START TIME` names a zone abbreviation pitr cannot read (the backup's
    /// `log_timezone` is unset or unknown, or does not use it then): it is kept as written.
    public var startTimeZoneUnknown: Bool?
    /// `BACKUP FROM`: primary or standby.
    public var source: String
    /// `LABEL`.
    public var label: String?
    /// `BACKUP METHOD`.
    public var method: String?
  }

  /// What makes a backup incremental, and the backup it builds on.
  public struct Incremental: Hashable, Sendable, Codable {
    /// `INCREMENTAL FROM LSN`: the start (START WAL LOCATION) of the backup it builds on.
    public var fromLSN: LSN
    /// `INCREMENTAL FROM TLI`: that backup's START TIMELINE.
    public var fromTimeline: TimelineID
    /// How many `INCREMENTAL.<relfile>` files it holds (changed blocks only).
    public var incrementalFiles: Int
    /// The id of the backup it builds on (its START WAL LOCATION and START TIMELINE are the
    /// ones above, and it is of the same cluster), when that backup is in `backups.base`.
    public var parent: String?

    public init(fromLSN: LSN, fromTimeline: TimelineID, incrementalFiles: Int, parent: String? = nil) {
      self.fromLSN = fromLSN
      self.fromTimeline = fromTimeline
      self.incrementalFiles = incrementalFiles
      self.parent = parent
    }
  }

  /// Where the backup became consistent.
  public struct Stop: Hashable, Sendable, Codable {
    /// Where the `stopLSN` came from.
    public enum Source: String, Hashable, Sendable, Codable {
      /// The archive's `.backup` file (`STOP WAL LOCATION`).
      case backupHistoryFile = "backup-history-file"
      /// The manifest's `WAL-Ranges` end.
      case manifest
    }

    /// `STOP WAL LOCATION`: the end of the backup; recovery is consistent from here.
    public var lsn: LSN
    public var timeline: TimelineID
    /// `STOP TIME`, printed like `Label.startTime`.
    public var time: String?
    /// `STOP TIME` as written.
    public var timeAsWritten: String?
    /// `true` when `STOP TIME` is kept as written because its zone is unknown.
    public var timeZoneUnknown: Bool?
    public var source: Source
  }

  /// The parts of `pg_control` the compiler needs.
  public struct Control: Hashable, Sendable, Codable {
    public var systemIdentifier: UInt64
    public var majorVersion: Int
    public var checkpointLSN: LSN
    public var checkpointTimeline: TimelineID
    public var minRecoveryPoint: LSN
    public var backupEndPoint: LSN
    public var segmentSize: WALSegmentSize
    public var walLevel: String
    /// Hot-standby settings replay needs at least as high as the primary had them.
    public var maxConnections: Int
    public var maxWorkerProcesses: Int
    public var maxWALSenders: Int
    public var maxPreparedTransactions: Int
    public var maxLocksPerTransaction: Int
    public var dataChecksums: Bool
  }

  /// What the manifest says, or why there is nothing to trust.
  public enum ManifestState: Hashable, Sendable, Codable {
    /// Present, and its own checksum verified.
    case verified(Manifest)
    case missing
    /// Present but unusable; the reason is also a diagnostic.
    case invalid(String)

    public var summary: String {
      switch self {
      case .verified(let manifest): "verified (v\(manifest.version), \(manifest.fileCount) files)"
      case .missing: "missing"
      case .invalid: "invalid"
      }
    }
  }

  /// A verified manifest, summarised.
  public struct Manifest: Hashable, Sendable, Codable {
    public var version: Int
    public var systemIdentifier: UInt64?
    public var fileCount: Int
    public var totalSize: Int64
    public var walRanges: [WALRange]
  }

  /// One of the manifest's `WAL-Ranges`.
  public struct WALRange: Hashable, Sendable, Codable {
    public var timeline: TimelineID
    public var start: LSN
    public var end: LSN
  }

  /// One line of `tablespace_map`.
  public struct Tablespace: Hashable, Sendable, Codable {
    public var oid: UInt32
    public var location: String
  }

  /// The LSN from which recovery is consistent: the stop location, else the standby
  /// backup's end point in its copied `pg_control`.
  public var consistentLSN: LSN? {
    if let stop { return stop.lsn }
    if let control, control.backupEndPoint != .invalid { return control.backupEndPoint }
    return nil
  }

  /// The system identifier, from `pg_control` or the manifest.
  public var systemIdentifier: UInt64? {
    control?.systemIdentifier
      ?? {
        if case .verified(let manifest) = manifest { return manifest.systemIdentifier }
        return nil
      }()
  }

  /// A time read from the backup's files, as pitr prints it: `START TIME` and `STOP TIME`
  /// with a numeric offset, or as written with `(zone unknown)` after it.
  public static func describe(_ time: String?, zoneUnknown: Bool?) -> String? {
    guard let time else { return nil }
    return zoneUnknown == true ? "\(time) (zone unknown)" : time
  }

  /// `START TIME` as pitr prints it (see `describe`).
  public var startTimeDescription: String? {
    Self.describe(label.startTime, zoneUnknown: label.startTimeZoneUnknown)
  }

  /// `STOP TIME` as pitr prints it (see `describe`).
  public var stopTimeDescription: String? {
    Self.describe(stop?.time, zoneUnknown: stop?.timeZoneUnknown)
  }
}
