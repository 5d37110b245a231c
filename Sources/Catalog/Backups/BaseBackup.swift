import WAL

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
  }

  /// The lines of `backup_label` a restore depends on.
  public struct Label: Hashable, Sendable, Codable {
    /// `START WAL LOCATION`: where recovery starts reading (the start checkpoint's redo).
    public var startLSN: LSN
    /// `CHECKPOINT LOCATION`.
    public var checkpointLSN: LSN
    /// `START TIMELINE`.
    public var startTimeline: TimelineID
    /// `START TIME`, as written (in the source's log_timezone).
    public var startTime: String?
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
    /// `STOP TIME`, as written.
    public var time: String?
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
    control?.systemIdentifier ?? {
      if case .verified(let manifest) = manifest { return manifest.systemIdentifier }
      return nil
    }()
  }
}
