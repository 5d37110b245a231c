extension PostgresLab {
  /// How `pg_basebackup` includes the WAL the backup needs (its `-X`).
  public enum BackupWAL: String, Sendable, Hashable, CaseIterable {
    /// `-X stream`: streamed while the backup runs, into `pg_wal.tar` for tar format.
    case stream
    /// `-X fetch`: collected at the end, inside `base.tar` or the plain copy's `pg_wal/`.
    case fetch
    /// `-X none`: no WAL; restoring needs the archive.
    case none
  }
}
