import Foundation

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
  ///   - incrementalFrom: The folder (under ``backupsDirectory``) of an earlier backup to
  ///     take an incremental backup from (`--incremental=<its backup_manifest>`, PostgreSQL
  ///     17+, which needs `summarize_wal = on`).
  /// - Returns: The backup's absolute path, once the backup history file (`….backup`) the
  ///   backup made is archived (the archiver takes it after the segment it names, so waiting
  ///   for that segment alone is not enough).
  @discardableResult
  public func baseBackup(
    into relativePath: String, format: BackupFormat, wal: BackupWAL = .stream, label: String,
    incrementalFrom: String? = nil
  ) throws -> String {
    let path = "\(backupsDirectory)/\(relativePath)"
    let incremental = incrementalFrom.map {
      ["--incremental=\(backupsDirectory)/\($0)/backup_manifest"]
    }
    try Self.runAsPostgres(
      "pg_basebackup",
      [
        "-h", socketDirectory, "-p", String(port), "-U", "postgres", "-D", path,
        "--checkpoint=fast", "--no-sync", "--wal-method=\(wal.rawValue)", "--label=\(label)",
      ] + format.arguments + (incremental ?? []))
    try waitForBackupHistoryFiles()
    return path
  }

  /// Waits until no `.backup` file waits in the primary's `pg_wal/archive_status`.
  private func waitForBackupHistoryFiles(timeout: Double = 30) throws {
    let status = "\(dataDirectory)/pg_wal/archive_status"
    let deadline = ContinuousClock.now.advanced(by: .milliseconds(Int64(timeout * 1000)))
    while ((try? FileManager.default.contentsOfDirectory(atPath: status)) ?? [])
      .contains(where: { $0.hasSuffix(".backup.ready") })
    {
      guard ContinuousClock.now < deadline else {
        throw FixtureError("the backup history file was not archived within \(timeout) s")
      }
      usleep(5_000)
    }
  }
}
