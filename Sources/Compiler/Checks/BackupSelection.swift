import Catalog
import PlanModel

/// Which base backup to restore (`backups.select`): `auto` takes the newest backup from
/// which recovery reaches the target; `latest` the newest backup; an id that backup. Only
/// backups of the restored cluster are candidates.
struct BackupSelection {
  /// The chosen evaluation, and what was said about the others.
  struct Choice {
    var evaluation: TargetEvaluation
    var reason: String
    var others: [(id: String, verdict: String)]
  }

  /// Why no backup is chosen, and the plan key it concerns.
  struct Refusal: Error {
    enum Key { case base, select, target }

    var problem: CompileProblem
    var key: Key
  }

  let plan: Plan
  let catalog: Catalog
  let evaluator: TargetEvaluator
  /// `nil` when nothing says which cluster is restored (then any backup may be chosen).
  let cluster: RestoredCluster?

  func choose() -> Result<Choice, Refusal> {
    let newestFirst = Array(catalog.backups.reversed())
    guard !newestFirst.isEmpty else {
      return .failure(
        Refusal(
          problem: CompileProblem(
            "no base backup in \(plan.backups.base.value); pitr catalog lists what it found there"),
          key: .base))
    }
    let ours = newestFirst.filter { cluster?.mismatch($0) == nil }
    switch plan.backups.select.value {
    case .id(let id): return choose(id: id, ours: ours)
    case .latest: return chooseLatest(newestFirst: newestFirst, ours: ours)
    case .auto: return chooseAuto(newestFirst: newestFirst, ours: ours)
    }
  }

  /// The backup the plan names, when it can be restored.
  private func choose(id: String, ours: [BaseBackup]) -> Result<Choice, Refusal> {
    guard let backup = catalog.backups.first(where: { $0.id == id }) else {
      return .failure(
        Refusal(
          problem: CompileProblem(
            "no backup with id '\(id)' in \(plan.backups.base.value)",
            notes: ["the backups there are: " + catalog.backups.map(\.id).joined(separator: ", ")]),
          key: .select))
    }
    // Another cluster's backup first: an incremental one's parent is then no use either.
    if let cluster, let mismatch = cluster.mismatch(backup) {
      let instead =
        ours.isEmpty
        ? "no backup in \(plan.backups.base.value) comes from cluster \(cluster.systemIdentifier); "
          + "take a base backup of it"
        : "select \(ours.count == 1 ? "" : "one of ")\(ours.map(\.id).joined(separator: ", ")) "
          + "(cluster \(cluster.systemIdentifier)) or 'select: auto'"
      return .failure(
        Refusal(
          problem: CompileProblem(
            "backup \(id) \(mismatch); a restore needs the backup and the WAL of one cluster: "
              + instead),
          key: .select))
    }
    if let problem = catalog.incrementalProblem(of: backup) {
      let usable = ours.filter { catalog.incrementalProblem(of: $0) == nil }
      let instead =
        usable.isEmpty
        ? "take a full base backup (pg_basebackup without --incremental)"
        : "select \(usable.count == 1 ? "" : "one of ")\(usable.map(\.id).joined(separator: ", ")) or "
          + "'select: auto'"
      return .failure(
        Refusal(problem: CompileProblem("backup \(id) is \(problem); \(instead)"), key: .select))
    }
    return evaluate(backup).map {
      Choice(evaluation: $0, reason: "chosen by id in the plan", others: verdicts(except: id))
    }
  }

  /// The newest full backup of the cluster (`select: latest`).
  private func chooseLatest(newestFirst: [BaseBackup], ours: [BaseBackup]) -> Result<Choice, Refusal> {
    guard !ours.isEmpty else { return .failure(noBackup(of: cluster)) }
    guard let backup = ours.first(where: { catalog.incrementalProblem(of: $0) == nil }) else {
      return .failure(onlyIncremental(ours))
    }
    let reason =
      backup.id == newestFirst[0].id
      ? "the newest backup (select: latest)"
      : backup.id == ours[0].id
        ? "the newest backup of \(cluster?.described ?? "the cluster"), with select: latest"
        : "the newest restorable backup (select: latest); the chains of newer incremental "
          + "backups are broken"
    return evaluate(backup).map {
      Choice(evaluation: $0, reason: reason, others: verdicts(except: backup.id))
    }
  }

  /// The newest backup from which recovery reaches the target (`select: auto`).
  private func chooseAuto(newestFirst: [BaseBackup], ours: [BaseBackup]) -> Result<Choice, Refusal> {
    var rejected: [(id: String, problem: CompileProblem)] = []
    for backup in newestFirst {
      if let mismatch = cluster?.mismatch(backup) {
        rejected.append((backup.id, CompileProblem(mismatch)))
        continue
      }
      if let problem = catalog.incrementalProblem(of: backup) {
        rejected.append((backup.id, CompileProblem(problem)))
        continue
      }
      switch evaluator.evaluate(backup) {
      case .success(let evaluation):
        let reason =
          rejected.isEmpty
          ? "the newest backup, and recovery from it reaches the target"
          : "the newest backup from which recovery reaches the target"
        let chain = Set(catalog.chain(of: backup).backups.map(\.id))
        let older = newestFirst.drop { $0.id != backup.id }.dropFirst().map { older in
          chain.contains(older.id)
            ? (id: older.id, verdict: "in the chosen backup's chain (combined by pg_combinebackup)")
            : (id: older.id, verdict: verdict(on: older, ifReachable: "older; would also reach the target"))
        }
        let newer = rejected.map { (id: $0.id, verdict: $0.problem.message) }
        return .success(Choice(evaluation: evaluation, reason: reason, others: newer + older))
      case .failure(let problem):
        rejected.append((backup.id, problem))
      }
    }
    if ours.isEmpty { return .failure(noBackup(of: cluster)) }
    if ours.allSatisfy({ catalog.incrementalProblem(of: $0) != nil }) {
      return .failure(onlyIncremental(ours))
    }
    if ours.count == 1, let only = rejected.first(where: { $0.id == ours[0].id }) {
      // One candidate: its own reason, and why the others were not candidates.
      var problem = only.problem
      problem.notes += rejected.filter { $0.id != only.id }.map { "backup \($0.id) \($0.problem.message)" }
      return .failure(Refusal(problem: problem, key: .target))
    }
    return .failure(
      Refusal(
        problem: CompileProblem(
          "no base backup can reach this target",
          notes: rejected.map { "backup \($0.id): \($0.problem.message)" } + windowsNote(of: ours)),
        key: .target))
  }

  private func evaluate(_ backup: BaseBackup) -> Result<TargetEvaluation, Refusal> {
    evaluator.evaluate(backup).mapError { Refusal(problem: $0, key: .target) }
  }

  /// What the repository can reach: each restorable window of `backups`, oldest first, with
  /// the last transaction it reaches (the latest a time or xid target can be).
  private func windowsNote(of backups: [BaseBackup]) -> [String] {
    let ids = Set(backups.map(\.id))
    let windows = catalog.windows.filter { ids.contains($0.backupID) && $0.status == .restorable }
    guard !windows.isEmpty else { return [] }
    let described = windows.map { window in
      "backup \(window.backupID) on timeline \(window.timeline), \(window.start) to \(window.end)"
        + (window.lastTransaction.map {
          " (last transaction \($0.transactionID), which ended at \($0.time))"
        } ?? "")
    }
    return ["the restorable windows are: " + described.joined(separator: "; ")]
  }

  /// Every backup is of another cluster.
  private func noBackup(of cluster: RestoredCluster?) -> Refusal {
    Refusal(
      problem: CompileProblem(
        "no base backup in \(plan.backups.base.value) comes from \(cluster?.described ?? "the cluster"); "
          + "take a base backup of that cluster, or set backups.base to where its backups are",
        notes: catalog.backups.reversed().compactMap { backup in
          cluster?.mismatch(backup).map { "backup \(backup.id) \($0)" }
        }),
      key: .base)
  }

  /// Every backup of the cluster is incremental with a broken chain: nothing can be restored.
  private func onlyIncremental(_ backups: [BaseBackup]) -> Refusal {
    Refusal(
      problem: CompileProblem(
        "every base backup of \(cluster?.described ?? "the cluster") in \(plan.backups.base.value) "
          + "is an incremental backup whose chain is broken, and an incremental backup cannot be "
          + "restored without the backups it builds on; take a full base backup (pg_basebackup "
          + "without --incremental)",
        notes: backups.compactMap { backup in
          catalog.incrementalProblem(of: backup).map { "backup \(backup.id): \($0)" }
        }),
      key: .base)
  }

  /// What the dry run says of a backup not chosen.
  private func verdict(on backup: BaseBackup, ifReachable: String) -> String {
    if let mismatch = cluster?.mismatch(backup) { return mismatch }
    if let problem = catalog.incrementalProblem(of: backup) { return problem }
    return switch evaluator.evaluate(backup) {
    case .success: ifReachable
    case .failure(let problem): problem.message
    }
  }

  private func verdicts(except id: String) -> [(id: String, verdict: String)] {
    catalog.backups.reversed().filter { $0.id != id }.map { backup in
      (backup.id, verdict(on: backup, ifReachable: "would also reach the target"))
    }
  }
}
