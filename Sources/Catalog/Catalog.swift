import PlanModel
import PostgresVocabulary
import Storage

/// What is really in a backup repository: its base backups, its WAL archive, the timelines
/// and, for each backup, the windows of targets a restore can reach.
///
/// Built by `Catalog.scan`, which never stops at a bad file: each problem becomes a
/// diagnostic naming the file, and the rest is still catalogued.
public struct Catalog: Sendable, Codable {
  /// `backups.base` as scanned.
  public var base: String
  /// `backups.wal` as scanned.
  public var wal: [String]
  /// Base backups, ordered by where they start.
  public var backups: [BaseBackup]
  public var archive: WALArchive
  /// Every timeline seen (in history files or segment names), oldest first.
  public var timelines: [TimelineSummary]
  /// Per backup and timeline, what a restore can reach.
  public var windows: [RestorableWindow]
  /// Problems found, ordered by file.
  public var diagnostics: [Diagnostic]

  /// Scans the base backup folder and the WAL archive folders; `cache` spares rereading
  /// files that did not change since the last scan.
  public static func scan(base: String, wal: [String], cache: CatalogCache) -> Catalog {
    scanIndexed(base: base, wal: wal, cache: cache).catalog
  }

  /// `scan`, also returning the WAL index it built, for a caller that asks more of it (the
  /// compiler): building a second one over a large archive costs as much again.
  public static func scanIndexed(base: String, wal: [String], cache: CatalogCache)
    -> (catalog: Catalog, index: WALIndex)
  {
    var diagnostics: [Diagnostic] = []
    // The archive first: its walk overlaps the cache's loading, which backups wait for.
    let (archive, archiveDiagnostics) = scanArchive(wal: wal, cache: cache)
    diagnostics += archiveDiagnostics
    var backups = readBackups(base: base, cache: cache, diagnostics: &diagnostics)

    for index in backups.indices {
      attachStop(to: &backups[index], from: archive.backupHistoryFiles)
      diagnostics += consistencyProblems(of: backups[index], archive: archive)
    }
    diagnostics += linkIncrementalBackups(&backups)

    let tree = TimelineTree(histories: archive.historyFiles)
    for (history, reason) in tree.inconsistentHistories() {
      diagnostics.append(.warning("this history file does not fit the others: \(reason)", at: .file(history.path)))
    }
    for missing in MissingHistoryFile.find(in: archive, tree: tree) {
      diagnostics.append(
        .warning(missing.problem + "; " + missing.advice(), at: .file(missing.folder)))
    }
    let index = WALIndex(archive: archive, cache: cache)
    let calculator = WindowCalculator(archive: archive, tree: tree, index: index)
    var windows: [RestorableWindow] = []
    // An incremental backup restores only combined with its chain: no window when a link is
    // missing. A combined chain recovers as its last backup would (its backup_label).
    for backup in backups where chain(of: backup, in: backups).complete {
      windows += calculator.windows(for: backup).map { window in
        var window = window
        // The window's end in time: the last commit or abort before its end.
        if window.status == .restorable {
          window.lastTransaction = index.lastTransactionEnd(before: window.end, along: window.timeline)
        }
        return window
      }
      if let problem = calculator.latestProblem(for: backup) {
        diagnostics.append(.warning("backup \(backup.id): \(problem)", at: .file(backup.path)))
      }
    }
    cache.save()
    let catalog = Catalog(
      base: base, wal: wal, backups: backups, archive: archive,
      timelines: TimelineSummary.summarize(archive: archive, tree: tree, index: index), windows: windows,
      diagnostics: diagnostics.inFileOrder())
    return (catalog, index)
  }

  /// Scans only the WAL archive folders (for commands that need no base backups).
  public static func scanArchive(wal: [String], cache: CatalogCache) -> (WALArchive, [Diagnostic]) {
    var diagnostics: [Diagnostic] = []
    var walFiles: [ScannedFile] = []
    for directory in wal {
      let (files, problems) = DirectoryWalker.files(under: directory, stores: .current)
      diagnostics += problems.map(unreadableFolder)
      walFiles += files
    }
    if wal.count > 1 {
      // Folders may overlap (one inside another): keep each file once, in path order.
      var seen = Set<String>()
      walFiles = walFiles.filter { seen.insert($0.path).inserted }.sorted { $0.path < $1.path }
    }
    var scanner = WALArchiveScanner(cache: cache)
    let archive = scanner.scan(directories: wal, files: walFiles)
    return (archive, diagnostics + scanner.diagnostics)
  }

  /// The timeline's missing history file, when it has archived segments but no history.
  public func missingHistory(of timeline: TimelineID) -> MissingHistoryFile? {
    timelines.first { $0.timeline == timeline }?.missingHistory
  }

  /// Why `timeline: latest` would fail for this backup (a history file that does not
  /// descend from it), or `nil` when it would not.
  public func latestTimelineProblem(for backup: BaseBackup) -> String? {
    let tree = TimelineTree(histories: archive.historyFiles)
    return WindowCalculator(archive: archive, tree: tree).latestProblem(for: backup)
  }

  // MARK: - Backups

  private static func readBackups(
    base: String, cache: CatalogCache, diagnostics: inout [Diagnostic]
  ) -> [BaseBackup] {
    let (files, problems) = DirectoryWalker.files(under: base, stores: .current)
    diagnostics += problems.map(unreadableFolder)
    let located = BackupLocator.locate(in: files, root: base)
    if located.isEmpty, problems.isEmpty {
      diagnostics.append(
        .warning(
          "no base backup here (a folder with backup_manifest, base.tar[.gz] or backup_label)",
          at: .file(base)))
    }
    var backups: [BaseBackup] = []
    for (folder, files) in located {
      let identifier = BackupLocator.identifier(of: folder, root: base)
      let fingerprint = Self.fingerprint(files)
      if var cached = cache.backup(fingerprint: fingerprint) {
        cached.id = identifier
        backups.append(cached)
        continue
      }
      var reader = BaseBackupReader(folder: folder, identifier: identifier, files: files)
      let backup = reader.read()
      diagnostics += reader.diagnostics
      if let backup, reader.diagnostics.isEmpty {
        cache.storeBackup(backup, fingerprint: fingerprint)
      }
      if let backup { backups.append(backup) }
    }
    return backups.sorted { ($0.label.startLSN, $0.id) < ($1.label.startLSN, $1.id) }
  }

  /// Bumped when what is read from a backup changes, so cached backups are read again (2:
  /// the expanded size counts the WAL and tablespace archives; 3: log_timezone, and
  /// START TIME read in it).
  private static let backupReadingVersion = 3

  /// What identifies this version of a backup's files: every path, size and mtime.
  private static func fingerprint(_ files: [ScannedFile]) -> String {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for file in files.sorted(by: { $0.path < $1.path }) {
      for byte in "\(file.path)\t\(file.size)\t\(file.modified)\(file.version.map { "\t" + $0 } ?? "")\n".utf8 {
        hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
      }
    }
    return "v\(backupReadingVersion)-\(files.count)-" + String(hash, radix: 16)
  }

  /// Takes the stop location and time from the archive's `.backup` file of this backup.
  private static func attachStop(to backup: inout BaseBackup, from histories: [ArchivedBackupHistory]) {
    let matches = histories.filter {
      $0.startLSN == backup.label.startLSN && $0.startTimeline == backup.label.startTimeline
    }
    let history =
      matches.count > 1
      ? matches.first { $0.label == backup.label.label && $0.startTime == backup.label.startTimeAsWritten }
      : matches.first
    guard let history else { return }
    let time = history.stopTime.map { BackupTimestamp($0).resolved(logTimezone: backup.logTimezone) }
    backup.stop = BaseBackup.Stop(
      lsn: history.stopLSN, timeline: history.stopTimeline, time: time?.text,
      timeAsWritten: history.stopTime, timeZoneUnknown: time != nil && time?.instant == nil ? true : nil,
      source: .backupHistoryFile)
  }

  /// Finds each incremental backup's parent the way pg_combinebackup checks a chain: the
  /// parent's START WAL LOCATION and START TIMELINE are the child's INCREMENTAL FROM LSN and
  /// TLI, and both come from one cluster. Warns when the parent is not there.
  static func linkIncrementalBackups(_ backups: inout [BaseBackup]) -> [Diagnostic] {
    var problems: [Diagnostic] = []
    for index in backups.indices {
      guard let incremental = backups[index].incremental else { continue }
      let child = backups[index]
      let parent = backups.first { candidate in
        candidate.id != child.id && candidate.label.startLSN == incremental.fromLSN
          && candidate.label.startTimeline == incremental.fromTimeline
          && (candidate.systemIdentifier == nil || child.systemIdentifier == nil
            || candidate.systemIdentifier == child.systemIdentifier)
      }
      backups[index].incremental?.parent = parent?.id
      if parent == nil {
        problems.append(
          .warning(
            "backup \(child.id) is incremental from \(incremental.fromLSN) on timeline "
              + "\(incremental.fromTimeline), and no backup of its cluster in this folder starts "
              + "there: its chain to a full backup is incomplete", at: .file(child.path)))
      }
    }
    return problems
  }

  private static func consistencyProblems(of backup: BaseBackup, archive: WALArchive) -> [Diagnostic] {
    var problems: [Diagnostic] = []
    if let system = backup.systemIdentifier, let archived = archive.systemIdentifier, system != archived {
      problems.append(
        .error(
          "backup \(backup.id) comes from another cluster: system identifier \(system), while the "
            + "WAL archive's is \(archived)", at: .file(backup.path)))
    }
    if let version = backup.pgVersion, let archived = archive.majorVersion, version != archived {
      problems.append(
        .error(
          "backup \(backup.id) is PostgreSQL \(version), but the archived WAL was written by "
            + "PostgreSQL \(archived)", at: .file(backup.path)))
    }
    if backup.consistentLSN == nil {
      problems.append(
        .warning(
          "backup \(backup.id) has no .backup file in the archive and no usable manifest, so "
            + "where it becomes consistent is unknown", at: .file(backup.path)))
    }
    return problems
  }

  private static func unreadableFolder(_ problem: DirectoryWalker.Problem) -> Diagnostic {
    .error("cannot read this folder: \(problem.reason)", at: .file(problem.path))
  }
}
