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
  ///   - tablespaceMapping: `--tablespace-mapping=OLD=NEW` for each (a plain backup of a
  ///     cluster with tablespaces needs one: its tablespaces are written to NEW).
  /// - Returns: The backup's absolute path, once the backup history file (`….backup`) the
  ///   backup made is archived (the archiver takes it after the segment it names, so waiting
  ///   for that segment alone is not enough).
  @discardableResult
  public func baseBackup(
    into relativePath: String, format: BackupFormat, wal: BackupWAL = .stream, label: String,
    incrementalFrom: String? = nil, tablespaceMapping: [(old: String, new: String)] = []
  ) throws -> String {
    let path = "\(backupsDirectory)/\(relativePath)"
    let incremental = incrementalFrom.map {
      ["--incremental=\(backupsDirectory)/\($0)/backup_manifest"]
    }
    // A server built without zstd or lz4 (the PyPI builds of 16 and 18) cannot compress with
    // them: the same backup is then taken as plain tar and its tars compressed by the CLI,
    // which gives the same files pitr reads.
    let compressor = format.compressionLibrary.flatMap { Self.serverSupports($0) ? nil : $0 }
    let arguments = compressor == nil ? format.arguments : ["--format=tar"]
    try Self.runAsPostgres(
      "pg_basebackup",
      [
        "-h", socketDirectory, "-p", String(port), "-U", "postgres", "-D", path,
        "--checkpoint=fast", "--no-sync", "--wal-method=\(wal.rawValue)", "--label=\(label)",
      ] + arguments + (incremental ?? []) + tablespaceMapping.map { "--tablespace-mapping=\($0.old)=\($0.new)" })
    if let compressor { try Self.compressTars(in: path, with: compressor) }
    try waitForBackupHistoryFiles()
    return path
  }

  /// Whether the lab's server binaries were built `--with-<library>` (`zstd`, `lz4`).
  static func serverSupports(_ library: String) -> Bool {
    let configure = try? runClient("pg_config", ["--configure"])
    return configure?.contains("--with-\(library)") ?? false
  }

  /// Compresses a tar backup's `base.tar` and tablespace tars (not the streamed
  /// `pg_wal.tar`, as pg_basebackup leaves it) with the `zstd` or `lz4` program.
  static func compressTars(in folder: String, with library: String) throws {
    let names = try FileManager.default.contentsOfDirectory(atPath: folder)
    for name in names where name.hasSuffix(".tar") && name != "pg_wal.tar" {
      let file = "\(folder)/\(name)"
      let result =
        library == "zstd"
        ? try ProcessRunner.run("/usr/bin/zstd", ["-q", "--rm", file], timeout: 120)
        : try ProcessRunner.run("/usr/bin/lz4", ["-q", "--rm", file, file + ".lz4"], timeout: 120)
      guard result.succeeded else { throw FixtureError("cannot \(library) \(file): \(result.standardError)") }
    }
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
