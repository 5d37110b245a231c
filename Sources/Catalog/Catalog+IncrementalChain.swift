/// Incremental backups (17+): which backups one needs, and why it is never restored alone.
extension Catalog {
  /// The chain an incremental backup belongs to, from the full backup to `backup` itself,
  /// following each one's parent; `complete` is false when a parent is not in the catalog.
  /// A full backup is its own chain.
  public func chain(of backup: BaseBackup) -> (backups: [BaseBackup], complete: Bool) {
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

  /// Why `backup` cannot be restored by itself, as a noun phrase ("an incremental backup
  /// (…), which cannot be restored alone: …"), or `nil` for a full backup.
  public func incrementalProblem(of backup: BaseBackup) -> String? {
    guard let incremental = backup.incremental else { return nil }
    let (chain, complete) = chain(of: backup)
    let names = chain.map(\.id).joined(separator: ", ")
    let start =
      "an incremental backup (INCREMENTAL FROM LSN \(incremental.fromLSN) on timeline "
      + "\(incremental.fromTimeline)), which cannot be restored alone"
    guard complete else {
      let missing = chain.first?.incremental ?? incremental
      return start + ": its chain is incomplete, no backup of its cluster in \(base) starts at "
        + "\(missing.fromLSN) on timeline \(missing.fromTimeline)"
    }
    return start + ": pg_combinebackup must first combine its chain \(names) (full backup first) "
      + "into a full backup, which pitr does not do yet"
  }
}
