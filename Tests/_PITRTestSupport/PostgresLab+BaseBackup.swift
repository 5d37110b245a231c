/// Taking base backups of a lab's primary.
extension PostgresLab {
  /// Takes a base backup of the primary with `pg_basebackup --checkpoint=fast`.
  ///
  /// - Parameters:
  ///   - relativePath: The backup's folder under ``backupsDirectory``, which may be nested
  ///     (`2025/07/01`, as in seed 000's cron job); it must not exist yet.
  ///   - format: Tar (with its compression) or plain.
  ///   - wal: How the backup includes WAL.
  ///   - label: The backup label (`LABEL:` in `backup_label`).
  /// - Returns: The backup's absolute path.
  @discardableResult
  public func baseBackup(
    into relativePath: String, format: BackupFormat, wal: BackupWAL = .stream, label: String
  ) throws -> String {
    let path = "\(backupsDirectory)/\(relativePath)"
    try Self.runAsPostgres(
      "pg_basebackup",
      [
        "-h", socketDirectory, "-p", String(port), "-U", "postgres", "-D", path,
        "--checkpoint=fast", "--no-sync", "--wal-method=\(wal.rawValue)", "--label=\(label)",
      ] + format.arguments)
    return path
  }
}
