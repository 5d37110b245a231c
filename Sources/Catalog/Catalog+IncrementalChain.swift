/// Incremental backups (17+): which backups one needs, and why it is never restored alone.
extension Catalog {
  /// The chain an incremental backup belongs to, from the full backup to `backup` itself,
  /// following each one's parent; `complete` is false when a parent is not in the catalog.
  /// A full backup is its own chain.
  public func chain(of backup: BaseBackup) -> (backups: [BaseBackup], complete: Bool) {
    Self.chain(of: backup, in: backups)
  }

  static func chain(of backup: BaseBackup, in backups: [BaseBackup]) -> (backups: [BaseBackup], complete: Bool) {
    var chain = [backup]
    var current = backup
    while let incremental = current.incremental {
      guard let parentID = incremental.parent,
        let parent = backups.first(where: { $0.id == parentID }),
        !chain.contains(where: { $0.id == parentID })
      else { return (chain.reversed(), false) }
      chain.append(parent)
      current = parent
    }
    return (chain.reversed(), true)
  }

  /// Why `backup` cannot be restored, as a noun phrase ("an incremental backup (…) whose
  /// chain is broken: …"), or `nil` for a full backup and for an incremental backup whose
  /// chain reaches a full backup (pitr combines it with pg_combinebackup).
  public func incrementalProblem(of backup: BaseBackup) -> String? {
    guard let incremental = backup.incremental else { return nil }
    let (chain, complete) = chain(of: backup)
    guard !complete else { return nil }
    let missing = chain.first?.incremental ?? incremental
    let links =
      chain.count == 1 ? "" : " (its chain so far: \(chain.map(\.id).joined(separator: ", ")))"
    return "an incremental backup (INCREMENTAL FROM LSN \(incremental.fromLSN) on timeline "
      + "\(incremental.fromTimeline)) whose chain is broken\(links): the backup \(chain[0].id) builds "
      + "on is missing, no backup of its cluster in \(base) starts at \(missing.fromLSN) on timeline "
      + "\(missing.fromTimeline)"
  }
}

/// The room restoring an incremental chain takes: each backup extracted into a staging
/// folder, then the data directory pg_combinebackup writes (at most the full backup and
/// every incremental one's files together).
public struct CombineSpace: Hashable, Sendable {
  /// Every backup of the chain extracted.
  public var staging: Int64
  /// The combined data directory, an upper bound.
  public var result: Int64
  public var total: Int64 { staging + result }

  /// `nil` when a backup's size is unknown.
  public init?(chain: [BaseBackup]) {
    var staging: Int64 = 0
    for backup in chain {
      guard let size = backup.expandedSize else { return nil }
      staging += size
    }
    self.staging = staging
    self.result = staging
  }
}
