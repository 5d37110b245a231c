import Foundation

/// Restoring a lab's base backups into new servers that recover from its archive.
extension PostgresLab {
  /// Restores a base backup into a new data directory and starts a server on it, recovering
  /// from this lab's archive.
  ///
  /// The backup (tar, gzip'd or not, or plain) is unpacked into `restores/restore-<n>/data`,
  /// `recovery.signal` is created, and `postgresql.conf` gets a new port, this archive's
  /// `restore_command` (unless `recovery` has one) and `recovery`'s settings. Then the server
  /// starts and this waits until recovery has ended as `expecting` says.
  ///
  /// - Parameters:
  ///   - backup: The backup's folder, as ``baseBackup(into:format:wal:label:)`` returned it.
  ///   - recovery: Recovery settings, such as `recovery_target_name` and
  ///     `recovery_target_action`.
  ///   - archiveIntoSameArchive: Whether the restored server archives into this lab's archive
  ///     (so that after promotion it holds the new timeline's `.history` file and segments);
  ///     otherwise its `archive_mode` is off.
  ///   - expecting: How recovery should end; by default what the settings ask for
  ///     (``RecoveryEnd/expected(for:)``).
  ///   - timeout: Seconds to wait for it.
  /// - Returns: The restored server, which ``remove()`` stops.
  @discardableResult
  public func restore(
    backup: String, recovery: [String: String], archiveIntoSameArchive: Bool = true,
    expecting: RecoveryEnd? = nil, timeout: Double = 60
  ) throws -> Server {
    let serverName = "restore-\(restoredServers.count + 1)"
    let folder = directory.file("restores/\(serverName)")
    let ports = Set(servers.map(\.port))
    var port = try Self.freePort()
    while ports.contains(port) { port = try Self.freePort() }
    let server = Server(
      name: serverName, dataDirectory: "\(folder)/data", logFile: "\(folder)/server.log",
      socketDirectory: socketDirectory, port: port,
      archive: archiveIntoSameArchive ? archive : nil)
    try Self.makePostgresDirectory(server.dataDirectory, mode: 0o700)
    try Self.unpack(backup: backup, into: server.dataDirectory)

    var settings = ["port": String(port), "restore_command": archive.restoreCommand]
    if archiveIntoSameArchive {
      settings["archive_mode"] = "on"
      settings["archive_command"] = archive.archiveCommand
    } else {
      settings["archive_mode"] = "off"
    }
    try server.appendSettings(settings.merging(recovery) { $1 })
    let signal = "\(server.dataDirectory)/recovery.signal"
    _ = FileManager.default.createFile(atPath: signal, contents: nil)
    try Self.giveToPostgres(signal)

    restoredServers.append(server)
    // pg_ctl fails when the server stops during recovery; that may be what is expected.
    _ = try? server.launch()
    try server.waitUntil(expecting ?? .expected(for: recovery), timeout: timeout)
    return server
  }

  /// Unpacks a backup folder into an empty data directory as `postgres`: `base.tar[.gz|.zst|.lz4]`
  /// and `pg_wal.tar[.gz]` for tar format (zstd and lz4 through GNU tar's
  /// `--use-compress-program`), a copy for plain format.
  static func unpack(backup: String, into data: String) throws {
    let files = Set((try? FileManager.default.contentsOfDirectory(atPath: backup)) ?? [])
    let bases = ["base.tar", "base.tar.gz", "base.tar.zst", "base.tar.lz4"]
    if let base = bases.first(where: files.contains) {
      let program =
        base.hasSuffix(".zst")
        ? ["--use-compress-program=zstd"]
        : base.hasSuffix(".lz4") ? ["--use-compress-program=lz4"] : []
      try runAsPostgres("/bin/tar", program + ["-xf", "\(backup)/\(base)", "-C", data])
      if let wal = ["pg_wal.tar", "pg_wal.tar.gz"].first(where: files.contains) {
        try runAsPostgres("/bin/mkdir", ["-p", "\(data)/pg_wal"])
        try runAsPostgres("/bin/tar", ["-xf", "\(backup)/\(wal)", "-C", "\(data)/pg_wal"])
      }
    } else if files.contains("PG_VERSION") {
      try runAsPostgres("/bin/cp", ["-a", "\(backup)/.", data])
    } else {
      throw FixtureError("\(backup) holds neither base.tar[.gz] nor a plain backup: \(files)")
    }
  }
}
