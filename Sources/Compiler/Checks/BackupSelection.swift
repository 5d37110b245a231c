import Catalog
import PlanModel

/// Which base backup to restore (`backups.select`): `auto` takes the newest backup from
/// which recovery reaches the target; `latest` the newest backup; an id that backup.
struct BackupSelection {
  /// The chosen evaluation, and what was said about the others.
  struct Choice {
    var evaluation: TargetEvaluation
    var reason: String
    var others: [(id: String, verdict: String)]
  }

  let plan: Plan
  let catalog: Catalog
  let evaluator: TargetEvaluator

  func choose() -> Result<Choice, CompileProblem> {
    let newestFirst = catalog.backups.reversed()
    guard !newestFirst.isEmpty else {
      return .failure(
        CompileProblem(
          "no base backup in \(plan.backups.base.value); pitr catalog lists what it found there"))
    }
    switch plan.backups.select.value {
    case .id(let id):
      guard let backup = catalog.backups.first(where: { $0.id == id }) else {
        return .failure(
          CompileProblem(
            "no backup with id '\(id)' in \(plan.backups.base.value)",
            notes: ["the backups there are: " + catalog.backups.map(\.id).joined(separator: ", ")]))
      }
      return evaluator.evaluate(backup).map {
        Choice(evaluation: $0, reason: "chosen by id in the plan", others: verdicts(except: id))
      }
    case .latest:
      let backup = catalog.backups[catalog.backups.count - 1]
      return evaluator.evaluate(backup).map {
        Choice(evaluation: $0, reason: "the newest backup (select: latest)", others: verdicts(except: backup.id))
      }
    case .auto:
      var rejected: [(id: String, verdict: String)] = []
      for backup in newestFirst {
        switch evaluator.evaluate(backup) {
        case .success(let evaluation):
          let reason =
            rejected.isEmpty
            ? "the newest backup, and recovery from it reaches the target"
            : "the newest backup from which recovery reaches the target"
          let older = newestFirst.drop { $0.id != backup.id }.dropFirst().map { older in
            switch evaluator.evaluate(older) {
            case .success: (id: older.id, verdict: "older; would also reach the target")
            case .failure(let problem): (id: older.id, verdict: problem.message)
            }
          }
          return .success(Choice(evaluation: evaluation, reason: reason, others: rejected + older))
        case .failure(let problem):
          rejected.append((backup.id, problem.message))
        }
      }
      if rejected.count == 1, let only = catalog.backups.first,
        case .failure(let problem) = evaluator.evaluate(only)
      {
        return .failure(problem)
      }
      return .failure(
        CompileProblem(
          "no base backup can reach this target",
          notes: rejected.map { "backup \($0.id): \($0.verdict)" }))
    }
  }

  private func verdicts(except id: String) -> [(id: String, verdict: String)] {
    catalog.backups.reversed().filter { $0.id != id }.map { backup in
      switch evaluator.evaluate(backup) {
      case .success: (backup.id, "would also reach the target")
      case .failure(let problem): (backup.id, problem.message)
      }
    }
  }
}
