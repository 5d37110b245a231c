import PostgresVocabulary

/// What a WAL record means for recovery targets and for finding a bad change, decoded from
/// the records that matter (all others are skipped by length).
public enum WALEvent: Hashable, Sendable {
  /// A transaction committed or aborted (`recovery_target_time` and `_xid` look only at these).
  case transactionEnd(TransactionEnd)
  /// A two-phase transaction was prepared (not an end: recovery never stops at it).
  case prepare(Prepare)
  /// `pg_create_restore_point()`.
  case restorePoint(RestorePoint)
  /// A checkpoint (online, or shutdown / end of recovery).
  case checkpoint(Checkpoint)
  /// `pg_switch_wal()` or a backup stop: the rest of the segment is unused.
  case switchSegment
  /// A base backup taken on a primary became consistent here; `start` is its START WAL LOCATION.
  case backupEnd(start: LSN)
  /// A promotion began this timeline.
  case endOfRecovery(EndOfRecovery)
  /// A row was inserted, updated or deleted, or a table truncated.
  case rowChange(RowChange)

  public struct TransactionEnd: Hashable, Sendable {
    public enum Outcome: String, Hashable, Sendable, Codable { case commit, abort }
    public var outcome: Outcome
    /// Whether it ends a prepared transaction (COMMIT PREPARED / ROLLBACK PREPARED).
    public var prepared: Bool
    /// The transaction that ended: `xl_xid`, or the prepared transaction's xid.
    public var transactionID: UInt32
    /// When it ended, as recovery compares it with `recovery_target_time`.
    public var time: PostgresTimestamp
    /// Subtransactions that committed (or aborted) with it.
    public var subtransactions: [UInt32]
    /// The prepared transaction's GID, when WAL carries it (wal_level = logical).
    public var globalIdentifier: String?
  }

  public struct Prepare: Hashable, Sendable {
    public var transactionID: UInt32
    public var time: PostgresTimestamp
    public var globalIdentifier: String
  }

  public struct RestorePoint: Hashable, Sendable {
    public var name: String
    public var time: PostgresTimestamp
  }

  public struct Checkpoint: Hashable, Sendable {
    /// `false` for a shutdown checkpoint (also written at the end of recovery).
    public var online: Bool
    public var redo: LSN
    public var timeline: TimelineID
    public var previousTimeline: TimelineID
    /// Seconds since 1970 (`pg_time_t`), not a `TimestampTz`.
    public var unixTime: Int64
  }

  public struct EndOfRecovery: Hashable, Sendable {
    public var time: PostgresTimestamp
    public var timeline: TimelineID
    public var previousTimeline: TimelineID
  }

  public struct RowChange: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable, Codable {
      case insert, update, delete, truncate
    }

    public var kind: Kind
    /// How many rows (a multi-insert writes many in one record).
    public var rows: Int
    /// The relation's files (insert, update, delete).
    public var relation: RelationFileLocator?
    /// The page changed.
    public var block: UInt32?
    /// For TRUNCATE (logged only at wal_level = logical): the database and table OIDs.
    public var truncatedTables: [UInt32]
    public var database: UInt32?
    /// Whether the update kept the row on its page (HOT).
    public var hot: Bool
  }
}
