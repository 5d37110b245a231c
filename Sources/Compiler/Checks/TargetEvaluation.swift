import Catalog
import PlanModel
import PostgresVocabulary

/// Where recovery from one backup stops for the plan's target, worked out from the WAL as
/// PostgreSQL's rules say (FORMATS.md §5.1), or why it would fail.
struct TargetEvaluation {
  /// The record (or point) recovery stops at.
  enum Stop: Hashable {
    /// Before a commit or abort (time targets; xid targets with `inclusive: false`).
    case beforeTransaction(SegmentSummary.TransactionEnd)
    /// After a commit or abort (xid targets, inclusive).
    case afterTransaction(SegmentSummary.TransactionEnd)
    case restorePoint(SegmentSummary.RestorePoint)
    /// Before or after the first record at or past an LSN target.
    case location(LSN, after: Bool)
    /// `recovery_target = 'immediate'`.
    case consistency(LSN)
    /// No target: the end of the archived WAL.
    case endOfWAL(LSN)

    var lsn: LSN {
      switch self {
      case .beforeTransaction(let end), .afterTransaction(let end): end.lsn
      case .restorePoint(let point): point.lsn
      case .location(let lsn, _), .consistency(let lsn), .endOfWAL(let lsn): lsn
      }
    }
  }

  var backup: BaseBackup
  var window: RestorableWindow
  var target: ResolvedTarget
  var stop: Stop
  /// Things the dry run should say (a restore point name used twice, …).
  var warnings: [CompileProblem] = []
}

/// Evaluates the plan's target against candidate backups.
struct TargetEvaluator {
  let plan: Plan
  let catalog: Catalog
  let index: WALIndex
  let tree: TimelineTree
  /// Where a missing history file is on this machine, when pitr can tell (the plan's
  /// destination is the server that promoted).
  let historyCopy: (MissingHistoryFile) -> String?

  init(
    plan: Plan, catalog: Catalog, index: WALIndex,
    historyCopy: @escaping (MissingHistoryFile) -> String? = { _ in nil }
  ) {
    self.plan = plan
    self.catalog = catalog
    self.index = index
    self.historyCopy = historyCopy
    tree = TimelineTree(histories: catalog.archive.historyFiles)
  }

  /// What to copy where for a missing history file.
  private func advice(_ missing: MissingHistoryFile) -> String {
    missing.advice(copy: historyCopy(missing))
  }

  /// The timelines recovery from `backup` can follow (their history is archived and goes
  /// through the backup's checkpoint), for suggestions: "1", "one of 1, 3".
  private func usableTimelines(for backup: BaseBackup) -> String {
    let usable = tree.descendants(of: backup.label.startTimeline, at: backup.label.checkpointLSN)
      .sorted().map { "\($0)" }
    return usable.count == 1 ? usable[0] : "one of " + usable.joined(separator: ", ")
  }

  func evaluate(_ backup: BaseBackup) -> Result<TargetEvaluation, CompileProblem> {
    Result { () throws(CompileProblem) in
      let request = plan.target
      let (timeline, setting) = try followedTimeline(from: backup)
      let window = try restorableWindow(of: backup, on: timeline)
      var target = ResolvedTarget(
        kind: request.kind.value, instant: nil, timeText: nil, zoneNote: nil,
        inclusive: request.inclusive.value, timeline: timeline, timelineSetting: setting)
      var warnings: [CompileProblem] = []
      let stop = try stop(from: backup, window: window, target: &target, warnings: &warnings)
      let evaluation = TargetEvaluation(
        backup: backup, window: window, target: target, stop: stop, warnings: warnings)
      try checkNotPastDamage(evaluation)
      return evaluation
    }
  }

  /// Which timeline recovery follows from `backup`, and the `recovery_target_timeline`
  /// setting that says so.
  private func followedTimeline(from backup: BaseBackup) throws(CompileProblem) -> (TimelineID, String) {
    switch plan.target.timeline.value {
    case .current:
      return (backup.label.startTimeline, "current")
    case .latest:
      let timeline = tree.latest(from: backup.label.startTimeline)
      if let problem = catalog.latestTimelineProblem(for: backup) { throw CompileProblem(problem) }
      // A newer timeline whose history is missing: PostgreSQL's 'latest' cannot see it and
      // would quietly stay on an older one.
      if let missing = catalog.timelines.compactMap(\.missingHistory).first(where: {
        $0.timeline > timeline
      }) {
        let stay = timeline == backup.label.startTimeline ? "current" : "\(timeline)"
        throw CompileProblem(
          "with 'timeline: latest' PostgreSQL would stay on timeline \(timeline), though the "
            + "archive has \(missing.segmentCount) segment\(missing.segmentCount == 1 ? "" : "s") "
            + "of timeline \(missing.timeline): its history file \(missing.fileName) is not in "
            + "the archive, so neither PostgreSQL nor pitr can tell where it forked. "
            + advice(missing) + "; or, to restore timeline \(timeline) on purpose, use "
            + "'timeline: \(stay)'")
      }
      return (timeline, "latest")
    case .number(let number):
      try checkNamedTimeline(number, from: backup)
      return (number, String(number.rawValue))
    }
  }

  /// A timeline the plan names must have its history archived and descend from the backup.
  private func checkNamedTimeline(_ number: TimelineID, from backup: BaseBackup) throws(CompileProblem) {
    guard tree.exists(number) else {
      if let missing = catalog.missingHistory(of: number) {
        throw CompileProblem(
          "timeline \(number) has \(missing.segmentCount) segment\(missing.segmentCount == 1 ? "" : "s") "
            + "in the archive but no history file \(missing.fileName), so pitr cannot tell "
            + "where it forked, and PostgreSQL would fail with \"recovery target timeline "
            + "\(number) does not exist\". " + advice(missing) + "; or use 'timeline: current' "
            + "or \(usableTimelines(for: backup))")
      }
      throw CompileProblem(
        "timeline \(number) has no history file (\(number.fileNamePart).history) in the archive: "
          + "PostgreSQL would fail with \"recovery target timeline \(number) does not exist\"; "
          + "use 'timeline: current' or \(usableTimelines(for: backup))")
    }
    guard tree.timeline(owning: backup.label.checkpointLSN, onPathTo: number) == backup.label.startTimeline
    else {
      throw CompileProblem(
        "timeline \(number) does not descend from backup \(backup.id) (checkpoint "
          + "\(backup.label.checkpointLSN) on timeline \(backup.label.startTimeline)): PostgreSQL "
          + "would fail with \"requested timeline \(number) is not a child of this server's "
          + "history\"; use 'timeline: current'")
    }
  }

  /// The window in which recovery from `backup` along `timeline` can stop, when it is
  /// restorable.
  private func restorableWindow(of backup: BaseBackup, on timeline: TimelineID) throws(CompileProblem)
    -> RestorableWindow
  {
    guard let window = catalog.windows.first(where: { $0.backupID == backup.id && $0.timeline == timeline })
    else {
      guard tree.path(to: timeline) != nil else {
        let fix =
          catalog.missingHistory(of: timeline).map { ". " + advice($0) }
          ?? "; copy it into the archive from pg_wal/ of a server on timeline \(timeline)"
        throw CompileProblem(
          "recovery from backup \(backup.id) follows timeline \(timeline), whose history file "
            + "(\(timeline.fileNamePart).history) is not in the archive, so pitr cannot tell which "
            + "segments it reads" + fix)
      }
      throw CompileProblem("backup \(backup.id) has no WAL on timeline \(timeline)")
    }
    switch window.status {
    case .incomplete:
      throw incompleteProblem(backup, window: window, along: timeline)
    case .endUnknown:
      throw CompileProblem(
        "backup \(backup.id) has no .backup file in the archive and no manifest, so where it "
          + "becomes consistent is unknown; keep the .backup file or the backup_manifest")
    case .restorable:
      return window
    }
  }

  /// Why a backup whose WAL breaks or stops before it is consistent cannot be restored.
  private func incompleteProblem(_ backup: BaseBackup, window: RestorableWindow, along timeline: TimelineID)
    -> CompileProblem
  {
    if let damage = window.damage {
      return CompileProblem(
        "backup \(backup.id) cannot be restored: \(damage.description), before the backup is "
          + "consistent (\(window.start)); PostgreSQL's replay ends at the last valid record "
          + "before it and would fail with \"WAL ends before end of online backup\"",
        notes: [Self.replaceNote(damage)])
    }
    let size = catalog.archive.segmentSize ?? .sixteenMiB
    let consistentSegment = size.segmentNumber(endingAt: window.start)
    let missing = missingSegments(backup, along: timeline, through: lastNeededSegment(along: timeline))
    let before = missing.filter { ($0.segmentNumber(size: size) ?? 0) <= consistentSegment }
    let later = missing.filter { ($0.segmentNumber(size: size) ?? 0) > consistentSegment }
    return CompileProblem(
      "backup \(backup.id) cannot be restored: "
        + Self.missingPhrase(before.isEmpty ? [window.firstMissingSegment].compactMap { $0 } : before)
        + " before the backup is consistent (\(window.start)); PostgreSQL would fail with "
        + "\"WAL ends before end of online backup\"",
      notes: later.isEmpty ? [] : ["also missing on the way to the target: " + Self.names(later)])
  }

  /// Where recovery from `backup` stops for the plan's target kind; a time target also fills
  /// in the target's resolved time, and a restore point used twice adds a warning.
  private func stop(
    from backup: BaseBackup, window: RestorableWindow, target: inout ResolvedTarget,
    warnings: inout [CompileProblem]
  ) throws(CompileProblem) -> TargetEvaluation.Stop {
    let timeline = target.timeline
    let inclusive = plan.target.inclusive.value
    switch plan.target.kind.value {
    case .time(let time):
      return try timeStop(time, from: backup, window: window, target: &target)
    case .name(let name):
      let (stop, warning) = try restorePointStop(name, backup: backup, window: window, along: timeline)
      if let warning { warnings.append(warning) }
      return stop
    case .xid(let xid):
      let end = try transactionEnd(xid, backup: backup, window: window, along: timeline)
      return inclusive ? .afterTransaction(end) : .beforeTransaction(end)
    case .lsn(let lsn):
      return try lsnStop(lsn, backup: backup, window: window, along: timeline)
    case .immediate:
      return .consistency(window.start)
    case .latest:
      return .endOfWAL(window.end)
    }
  }

  /// Before the first transaction to end after the target time (at it, with `inclusive:
  /// false`).
  private func timeStop(
    _ time: TargetTime, from backup: BaseBackup, window: RestorableWindow, target: inout ResolvedTarget
  ) throws(CompileProblem) -> TargetEvaluation.Stop {
    let timeline = target.timeline
    let inclusive = plan.target.inclusive.value
    let resolved = try TimeResolution.resolve(time, backupTimezone: backup.timezone).get()
    target.instant = resolved.instant
    target.timeText = resolved.text
    target.zoneNote = resolved.note
    let instant = resolved.instant
    if let newest = index.lastTransactionEnd(before: window.start, along: timeline),
      inclusive ? newest.time > instant : newest.time >= instant
    {
      throw CompileProblem(
        "backup \(backup.id) already holds transaction \(newest.transactionID), which ended "
          + "at \(newest.time), after the target \(resolved.text): recovery cannot go back in "
          + "time (PostgreSQL would stop at the backup's end, or fail); "
          + earlier(than: backup, window: window, heldTransaction: newest))
    }
    guard
      let first = index.firstTransactionEnd(
        after: instant, inclusive: inclusive, from: window.start, along: timeline)
    else {
      throw damaged(window, before: "time \(resolved.text)", from: backup.label.startLSN)
        ?? walEndsBeforeTarget("time \(resolved.text)", backup: backup, window: window)
    }
    return .beforeTransaction(first)
  }

  /// At the first restore point of that name after the backup starts, which must come once
  /// it is consistent; a warning when there are several.
  private func restorePointStop(
    _ name: String, backup: BaseBackup, window: RestorableWindow, along timeline: TimelineID
  ) throws(CompileProblem) -> (TargetEvaluation.Stop, CompileProblem?) {
    let start = backup.label.startLSN
    let points = index.restorePoints(named: name, from: start, along: timeline)
    guard let first = points.first else {
      if let problem = damaged(window, before: "restore point '\(name)'", from: start) { throw problem }
      throw CompileProblem(
        gapCause(backup, window: window) + "no restore point named '\(name)' in the WAL after "
          + "backup \(backup.id) on timeline \(timeline)",
        notes: restorePointNote(from: start, along: timeline))
    }
    guard first.lsn >= window.start else {
      throw CompileProblem(
        "restore point '\(name)' (\(first.lsn)) was made while backup \(backup.id) was being "
          + "taken, before it is consistent (\(window.start)): PostgreSQL would fail with "
          + "\"requested recovery stop point is before consistent recovery point\"; "
          + earlier(than: backup, window: window))
    }
    let warning =
      points.count > 1
      ? CompileProblem(
        "restore point '\(name)' occurs \(points.count) times; recovery stops at the first "
          + "(\(first.lsn), \(first.time))") : nil
    return (.restorePoint(first), warning)
  }

  /// The commit or abort of the target transaction, which must come once the backup is
  /// consistent.
  private func transactionEnd(
    _ xid: UInt32, backup: BaseBackup, window: RestorableWindow, along timeline: TimelineID
  ) throws(CompileProblem) -> SegmentSummary.TransactionEnd {
    let start = backup.label.startLSN
    guard let end = index.transactionEnd(of: xid, from: start, along: timeline) else {
      if let problem = damaged(window, before: "transaction \(xid)", from: start) { throw problem }
      throw CompileProblem(
        gapCause(backup, window: window) + "transaction \(xid) has no commit or abort in the "
          + "WAL after backup \(backup.id) on timeline \(timeline): it ended before the backup, "
          + "has not ended, or its WAL is not archived yet; PostgreSQL would fail with "
          + "\"recovery ended before configured recovery target was reached\"")
    }
    guard end.lsn >= window.start else {
      throw CompileProblem(
        "transaction \(xid) ended at \(end.lsn), while backup \(backup.id) was being taken "
          + "(it is consistent only at \(window.start)): PostgreSQL would fail with \"requested "
          + "recovery stop point is before consistent recovery point\"; "
          + earlier(than: backup, window: window))
    }
    return end
  }

  /// Before or after the first record at or past the target LSN, which must lie in the window.
  private func lsnStop(
    _ lsn: LSN, backup: BaseBackup, window: RestorableWindow, along timeline: TimelineID
  ) throws(CompileProblem) -> TargetEvaluation.Stop {
    let consistent = window.start
    guard lsn >= consistent else {
      throw CompileProblem(
        "LSN \(lsn) is before backup \(backup.id) is consistent (\(consistent)): PostgreSQL "
          + "would fail with \"requested recovery stop point is before consistent recovery "
          + "point\"; target \(consistent) or later"
          + (hasEarlierBackup(than: backup) ? ", or use an earlier backup" : " (no backup is older)"))
    }
    guard lsn < window.end, let record = index.firstRecord(atOrAfter: lsn, along: timeline) else {
      throw damaged(window, before: "LSN \(lsn)", from: backup.label.startLSN)
        ?? walEndsBeforeTarget("LSN \(lsn)", backup: backup, window: window, at: lsn)
    }
    return .location(record.record, after: plan.target.inclusive.value)
  }

  /// Recovery must read the record it stops at: one at or past a break is never reached.
  private func checkNotPastDamage(_ evaluation: TargetEvaluation) throws(CompileProblem) {
    let (window, stop, kind) = (evaluation.window, evaluation.stop, plan.target.kind.value)
    guard let damage = window.damage, stop.lsn >= damage.lsn else { return }
    let described: String
    switch kind {
    case .time: described = "time \(evaluation.target.timeText ?? "")"
    case .name(let name): described = "restore point '\(name)'"
    case .xid(let xid): described = "transaction \(xid)"
    case .lsn(let lsn): described = "LSN \(lsn)"
    case .immediate: described = "immediate"
    case .latest: described = "latest (the end of the archived WAL)"
    }
    let located = kind == .latest || kind == .immediate ? nil : stop.lsn
    throw damaged(window, before: described, stop: located, from: evaluation.backup.label.startLSN)
      ?? CompileProblem(damage.description)
  }

  /// Whether the repository has a backup taken before `backup` (one that may reach targets
  /// before it).
  private func hasEarlierBackup(than backup: BaseBackup) -> Bool {
    catalog.backups.contains { $0.id != backup.id && $0.label.startLSN < backup.label.startLSN }
  }

  /// What to do about a target before `backup` is consistent: "use an earlier backup" when
  /// there is one; else the earliest target the repository can reach (the start of the
  /// backup's restorable window, or for a time target the end of the last transaction the
  /// backup holds).
  private func earlier(
    than backup: BaseBackup, window: RestorableWindow,
    heldTransaction: SegmentSummary.TransactionEnd? = nil
  ) -> String {
    if hasEarlierBackup(than: backup) { return "use an earlier backup" }
    if let held = heldTransaction {
      let when = plan.target.inclusive.value ? "\(held.time)" : "just after \(held.time)"
      return "no backup is older, so the earliest time target this repository can reach is "
        + "\(when), when transaction \(held.transactionID), the last one backup \(backup.id) holds, "
        + "ended"
    }
    return "no backup is older, so the earliest target this repository can reach is where "
      + "backup \(backup.id) becomes consistent, the start of its restorable window on timeline "
      + "\(window.timeline): lsn: \(window.start), or immediate: true"
  }

  /// The WAL is damaged before the target: name the segment file, where valid WAL ends and
  /// why, and the window that is left; `nil` when the window has no damage.
  private func damaged(
    _ window: RestorableWindow, before target: String, stop: LSN? = nil, from start: LSN
  ) -> CompileProblem? {
    guard let damage = window.damage else { return nil }
    let past = stop.map { " (recovery would stop at \($0))" } ?? ""
    let message =
      "the archived WAL on timeline \(window.timeline) is damaged before the target \(target) "
      + "is reached\(past): \(damage.description); PostgreSQL's replay ends at the last valid record before "
      + "it and would fail with \"recovery ended before configured recovery target was reached\""
    var left =
      "what is left is the restorable window of backup \(window.backupID) on timeline "
      + "\(window.timeline), \(window.start) to \(window.end)"
    // Like PostgreSQL's "last completed transaction": none from before the backup's start.
    if let last = window.lastTransaction, last.lsn >= start {
      left += "; the last transaction it reaches is \(last.transactionID), which ended at \(last.time)"
    } else {
      left += "; it replays no commit or abort"
    }
    return CompileProblem(message, notes: [left, Self.replaceNote(damage)])
  }

  /// How to get past damaged WAL.
  static func replaceNote(_ damage: WALDamage) -> String {
    "replace \(damage.path) with an intact copy of segment \(damage.segment) (from the source's "
      + "pg_wal or another archive) and validate again, or target a point before \(damage.lsn)"
  }

  /// The WAL ends before the target: say where it ends, which segments are missing before
  /// the target (the one holding `lsn`, when known) and what is reachable.
  private func walEndsBeforeTarget(
    _ target: String, backup: BaseBackup, window: RestorableWindow, at lsn: LSN? = nil
  ) -> CompileProblem {
    // The cause first: the missing segment, then where the WAL ends and what PostgreSQL does.
    let cause = gapCause(backup, window: window, at: lsn)
    let message =
      (cause.isEmpty ? "" : String(cause.dropLast(2)) + ", so ")
      + "the archived WAL on timeline \(window.timeline) ends at \(window.end) before the target "
      + "\(target) is reached: PostgreSQL would fail with \"recovery ended before configured "
      + "recovery target was reached\""
    var notes = [
      "archive the newest WAL first: run pg_switch_wal() on the source, then validate again (with "
        + "source.switch_wal: true, pitr apply runs it itself before it checks the plan)"
    ]
    if let last = window.lastTransaction {
      notes.append(
        "the restorable window of backup \(window.backupID) on timeline \(window.timeline) is "
          + "\(window.start) to \(window.end); the last transaction it reaches is "
          + "\(last.transactionID), which ended at \(last.time)")
    }
    return CompileProblem(message, notes: notes)
  }

  /// "segment … is missing from the archive; " when the window ends at a gap, naming every
  /// segment missing before the target (the cause, put before what it leads to); empty when
  /// the WAL simply ends.
  private func gapCause(_ backup: BaseBackup, window: RestorableWindow, at lsn: LSN? = nil) -> String {
    guard let firstMissing = window.firstMissingSegment else { return "" }
    let last = lastNeededSegment(along: window.timeline, at: lsn)
    let missing = missingSegments(backup, along: window.timeline, through: last)
    return Self.missingPhrase(missing.isEmpty ? [firstMissing] : missing) + "; "
  }

  /// The last segment a target needs: the one holding `lsn` (an LSN target); else the newest
  /// archived one, since where a time, name or xid lies past a gap is unknown.
  private func lastNeededSegment(along timeline: TimelineID, at lsn: LSN? = nil) -> UInt64 {
    let size = catalog.archive.segmentSize ?? .sixteenMiB
    let newest = catalog.archive.segments.compactMap { $0.name.segmentNumber(size: size) }.max() ?? 0
    guard let lsn else { return newest }
    return min(newest, size.segmentNumber(containing: lsn))
  }

  /// The segments missing from the archive between the backup's start and segment `last`
  /// along `timeline` (those the backup carries are not missing).
  private func missingSegments(_ backup: BaseBackup, along timeline: TimelineID, through last: UInt64)
    -> [WALSegmentName]
  {
    let size = catalog.archive.segmentSize ?? .sixteenMiB
    let carried = Set(backup.includedSegments.compactMap { $0.segmentNumber(size: size) })
    return index.missingSegments(along: timeline, from: backup.label.startLSN, through: last).filter {
      !carried.contains($0.segmentNumber(size: size) ?? 0)
    }
  }

  /// "segment A is missing from the archive", "segments A and B are missing from the archive".
  static func missingPhrase(_ segments: [WALSegmentName]) -> String {
    segments.count == 1
      ? "segment \(segments[0]) is missing from the archive"
      : "segments \(names(segments)) are missing from the archive"
  }

  /// "A", "A and B", "A, B and C"; past ten, the first ten and how many more ("A, …, J and 37 more").
  static func names(_ segments: [WALSegmentName], limit: Int = 10) -> String {
    var words = segments.prefix(limit).map { "\($0)" }
    if segments.count > limit { words.append("\(segments.count - limit) more") }
    guard let last = words.popLast() else { return "" }
    return words.isEmpty ? last : words.joined(separator: ", ") + " and " + last
  }

  private func restorePointNote(from start: LSN, along timeline: TimelineID) -> [String] {
    let names = index.segments(along: timeline, from: start).flatMap {
      index.summary(of: $0)?.restorePoints.map(\.name) ?? []
    }
    return names.isEmpty
      ? ["there are no restore points in that WAL"]
      : ["restore points there: " + Self.list(names)]
  }

  static func list(_ items: [String]) -> String {
    var seen = Set<String>()
    return items.filter { seen.insert($0).inserted }.joined(separator: ", ")
  }
}
