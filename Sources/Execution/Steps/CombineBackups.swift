import Catalog
import Compiler
import Foundation
import Processes

/// `combine-backups` (17+): extracts each backup of an incremental chain into its staging
/// folder (checked against its manifest, as `extract-base` does), runs pg_combinebackup,
/// which writes the data directory from them, checks that directory with pg_verifybackup,
/// then removes the staging folder.
struct CombineBackups {
  let payload: StepAction.CombineBackups

  func run(_ step: Step, in context: StepContext) throws {
    let files = FileManager.default
    // A staging folder left by an interrupted run is pitr's own: start it afresh.
    if files.fileExists(atPath: payload.staging) { try files.removeItem(atPath: payload.staging) }
    try files.createDirectory(atPath: payload.staging, withIntermediateDirectories: true)
    try files.setAttributes([.posixPermissions: 0o700], ofItemAtPath: payload.staging)
    try StepContext.chown(payload.staging, to: payload.owner)
    for member in payload.backups {
      try extract(member, step: step, in: context)
    }
    try prepareTablespaceLocations()
    guard let words = context.resolver.commandLine(of: step) else { return }
    context.observer.progress(step, "pg_combinebackup: writing \(payload.dataDirectory)")
    // pg_combinebackup outlives a pitr killed with SIGKILL: its process group is written down,
    // so the next run can stop it before clearing what it writes (``stopLeftover``).
    let groupFile = Self.processGroupFile(payload)
    let result = try ProcessRunner.run(words[0], Array(words.dropFirst()), timeout: 24 * 3600) { pid in
      try? "\(pid) \(Self.startTime(of: pid) ?? "")\n".write(toFile: groupFile, atomically: true, encoding: .utf8)
    }
    try? FileManager.default.removeItem(atPath: groupFile)
    guard result.succeeded else {
      let output = (result.standardError + result.standardOutput).trimmingCharacters(in: .whitespacesAndNewlines)
      throw RunnerError(
        "pg_combinebackup failed (exit \(result.status)): \(output); the chain is still extracted in "
          + "\(payload.staging) and \(payload.dataDirectory) holds what it wrote: remove both, then run pitr "
          + "apply again")
    }
    try makeDurable()
    for words in context.resolver.followingCommandLines(of: step) {
      context.observer.progress(step, "pg_verifybackup: checking \(payload.dataDirectory)")
      try Self.verify(words, dataDirectory: payload.dataDirectory, staging: payload.staging)
    }
    try files.removeItem(atPath: payload.staging)
    context.observer.note(
      "combined \(payload.backups.map(\.id).joined(separator: " -> ")) into \(payload.dataDirectory); removed "
        + payload.staging)
  }

  /// Runs `words` (pg_verifybackup over the combined data directory); a failure names the
  /// command and what it printed.
  static func verify(_ words: [String], dataDirectory: String, staging: String) throws {
    let result = try ProcessRunner.run(words[0], Array(words.dropFirst()), timeout: 24 * 3600)
    guard !result.succeeded else { return }
    let output = (result.standardError + result.standardOutput).trimmingCharacters(in: .whitespacesAndNewlines)
    throw RunnerError(
      "the combined data directory failed its check: \(StepResolver.shellText(words)) exited with status "
        + "\(result.status): \(output); \(dataDirectory) is not what the chain's backups hold (the chain is still "
        + "extracted in \(staging)): remove both, then run pitr apply again")
  }

  /// One backup of the chain into its staging folder, with its backup_manifest beside its
  /// files (pg_combinebackup reads each backup's manifest).
  private func extract(_ member: StepAction.CombineBackups.Member, step: Step, in context: StepContext) throws {
    guard let format = BaseBackup.Format(rawValue: member.format) else {
      throw RunnerError("the compiled plan names an unknown backup format '\(member.format)'")
    }
    // Each tablespace the backup has (its `<oid>.tar…` archives, or its plain pg_tblspc links)
    // gets a staged folder of its own.
    let oids = try BackupLayout(folder: member.backupFolder, format: format).tablespaceOIDs.sorted()
    let staged = Dictionary(uniqueKeysWithValues: oids.map { ($0, "\(member.tablespaceStaging)/\($0)") })
    let extractor = BackupExtractor(
      backupFolder: member.backupFolder, format: format, dataDirectory: member.stagingFolder,
      tablespaces: staged, owner: StepContext.owner(named: payload.owner),
      // The staging folder is removed whatever happens and started afresh after a crash:
      // its files need not reach the disk.
      syncToDisk: false)
    let rate = TransferRate()
    let observer = context.observer
    let report = try extractor.extract { progress in
      observer.progress(
        step, "\(member.id): " + rate.describe(progress),
        measure: ProgressMeasure(
          done: UInt64(max(0, progress.bytesWritten)), total: UInt64(max(0, progress.totalBytes)), unit: .bytes))
    }
    let manifest = "\(member.stagingFolder)/backup_manifest"
    if !FileManager.default.fileExists(atPath: manifest) {
      try FileManager.default.copyItem(atPath: "\(member.backupFolder)/backup_manifest", toPath: manifest)
      try StepContext.chown(manifest, to: payload.owner)
    }
    if format == .tar { try linkStagedTablespaces(of: member, staged) }
    observer.note(
      "extracted \(member.id): \(report.files) files (\(ByteCount.describe(report.bytes))), \(report.verifiedFiles) "
        + "checked against its backup_manifest")
  }

  /// A tar backup's tablespaces are found through `tablespace_map` once PostgreSQL starts;
  /// pg_combinebackup finds them only through `pg_tblspc/<oid>` links, as in a plain backup.
  /// So the staged backup gets those links, to its staged tablespaces, and loses its
  /// `tablespace_map` (already checked against its manifest), which would otherwise be copied
  /// into the combined data directory and send PostgreSQL to the staging folder.
  private func linkStagedTablespaces(
    of member: StepAction.CombineBackups.Member, _ staged: [UInt32: String]
  ) throws {
    guard !staged.isEmpty else { return }
    let files = FileManager.default
    let links = "\(member.stagingFolder)/pg_tblspc"
    if !files.fileExists(atPath: links) {
      try files.createDirectory(atPath: links, withIntermediateDirectories: false)
      try files.setAttributes([.posixPermissions: 0o700], ofItemAtPath: links)
      try StepContext.chown(links, to: payload.owner)
    }
    for (oid, location) in staged.sorted(by: { $0.key < $1.key }) {
      try files.createSymbolicLink(atPath: "\(links)/\(oid)", withDestinationPath: location)
    }
    let map = "\(member.stagingFolder)/tablespace_map"
    if files.fileExists(atPath: map) { try files.removeItem(atPath: map) }
  }

  /// The combined tablespaces' locations, made (0700, given to the server's user) before
  /// pg_combinebackup runs as that user: it writes into an empty directory but could not
  /// create one where only root may.
  private func prepareTablespaceLocations() throws {
    let files = FileManager.default
    for tablespace in payload.tablespaces {
      var isDirectory: ObjCBool = false
      if !files.fileExists(atPath: tablespace.location, isDirectory: &isDirectory) {
        try files.createDirectory(atPath: tablespace.location, withIntermediateDirectories: true)
      } else if !isDirectory.boolValue {
        throw RunnerError(
          "the location of tablespace \(tablespace.oid), \(tablespace.location), exists and is not a directory; "
            + "remove it, then run pitr apply again")
      }
      try files.setAttributes([.posixPermissions: 0o700], ofItemAtPath: tablespace.location)
      try StepContext.chown(tablespace.location, to: payload.owner)
    }
  }

  /// Flushes what pg_combinebackup wrote (it runs with `--no-sync`) to disk: one `syncfs` of
  /// the data directory's file system and of each tablespace location's, then their parent
  /// directories, before the step can be recorded done. PostgreSQL would also sync the data
  /// directory when it starts (the combined control file says it was not shut down), but the
  /// step must not count on a later one.
  private func makeDurable() throws {
    for root in [payload.dataDirectory] + payload.tablespaces.map(\.location) {
      do {
        try FileSystemCalls.syncFileSystem(of: root)
        let parent = (root as NSString).deletingLastPathComponent
        try FileSystemCalls.sync(parent.isEmpty ? "." : parent, directory: true)
      } catch let error as ExtractionError {
        throw RunnerError("\(error.problem); the combined files may not be on disk: run pitr apply again")
      }
    }
  }

  /// `<state>/combine.pgid`: pg_combinebackup's process group and start time while it runs.
  static func processGroupFile(_ payload: StepAction.CombineBackups) -> String { payload.staging + ".pgid" }

  /// Stops the pg_combinebackup a killed run left running (its process group, when the
  /// process it names is still the one started then), and waits until it is gone: it would
  /// otherwise go on writing into the directories pitr clears to combine again.
  ///
  /// - Returns: The process group stopped, or nil when none was running.
  static func stopLeftover(_ payload: StepAction.CombineBackups) -> Int32? {
    stopLeftover(groupFile: processGroupFile(payload))
  }

  /// ``stopLeftover(_:)`` with the file that names the process group.
  static func stopLeftover(groupFile file: String) -> Int32? {
    defer { try? FileManager.default.removeItem(atPath: file) }
    guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return nil }
    let words = text.split(whereSeparator: \.isWhitespace).map(String.init)
    guard let group = words.first.flatMap(Int32.init), group > 1, let started = words.dropFirst().first,
      startTime(of: group) == started
    else { return nil }
    _ = kill(-group, SIGKILL)
    // Its members are reaped by init once they die; wait until none is left.
    for _ in 0..<600 where kill(-group, 0) == 0 { usleep(50_000) }
    return group
  }

  /// A process's start time (clock ticks after boot, `/proc/PID/stat` field 22): with the ID,
  /// it tells the process from a later one given the same ID.
  static func startTime(of pid: Int32) -> String? {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
      let close = stat.lastIndex(of: ")")
    else { return nil }
    let fields = stat[stat.index(after: close)...].split(separator: " ")
    return fields.count > 19 ? String(fields[19]) : nil
  }
}
