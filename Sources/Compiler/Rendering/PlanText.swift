import Catalog
import PlanModel

/// The dry run as text: the chosen backup and why, the target as written for PostgreSQL,
/// the prediction, then every step with its command or file. Same inputs, same bytes.
public enum PlanText {
  public static func render(_ plan: CompiledPlan, resolver: StepResolver) -> String {
    var text = "Restore plan '\(plan.planName)' (\(plan.planFile))\n\n"
    let backup = plan.backup
    text += "Backup \(backup.id) (\(backup.path))\n"
    text += "  why: \(backup.reason)\n"
    text += "  starts at \(backup.startLSN), consistent at \(backup.consistentLSN), timeline \(backup.timeline)"
    text += backup.pgVersion.map { ", PostgreSQL \($0)" } ?? ""
    text += ", \(backup.format)"
    if let chain = backup.chain {
      text += ", the last of an incremental chain of \(chain.count) backups\n"
      text += describe(chain)
    } else {
      text += backup.expandedSize.map { ", \(ByteCount.describe($0)) extracted" } ?? ""
      text += "\n"
    }
    for other in plan.alternatives {
      text += "  not \(other.id): \(other.verdict)\n"
    }
    text += "\nTarget\n"
    for setting in plan.target.settings {
      text += "  \(setting.name) = '\(setting.value)'\n"
    }
    text += "  recovery_target_action = '\(plan.action.postgresAction)' (plan action: \(plan.action.rawValue))\n"
    text += "\nPrediction\n"
    let prediction = plan.prediction
    if let message = prediction.stopMessage {
      text += "  PostgreSQL will log: \(message)\n"
      if let zone = prediction.serverTimezone, message.contains(", time ") {
        text += "  (times as the server prints them, in its timezone \(zone))\n"
      }
      if let lsn = prediction.stopLSN {
        text += "  at \(lsn)" + (prediction.stopSegment.map { " in segment \($0)" } ?? "") + "\n"
      }
    } else {
      text += "  recovery replays all the archived WAL\n"
    }
    if let last = prediction.lastCompletedTransaction {
      text +=
        "  last completed transaction: \(last.transactionID) at \(last.time.formatted(in: prediction.printingZone)) (\(last.lsn))\n"
    }
    if let path = prediction.timelinePathDescription {
      text += "  recovery follows \(path)\n"
    }
    if let timeline = prediction.newTimeline {
      text += "  promotion selects timeline \(timeline)\n"
    }
    text += "  WAL to fetch from the archive: \(prediction.fetchDescription())\n"
    if !plan.notes.isEmpty {
      text += "\nNotes\n" + plan.notes.map { "  \($0)\n" }.joined()
    }
    text += "\nSteps\n"
    let dependencies = plan.graph.dependencies
    for (number, step) in plan.graph.ordered.enumerated() {
      text += "  \(number + 1). \(step.id): \(step.summary)\n"
      let after = dependencies[step.id] ?? []
      if !after.isEmpty { text += "       after: \(after.joined(separator: ", "))\n" }
      for detail in step.details { text += "       \(detail)\n" }
      if let words = resolver.commandLine(of: step) {
        text += "       runs: \(StepResolver.shellText(words))\n"
      }
      for words in resolver.followingCommandLines(of: step) {
        text += "       then runs: \(StepResolver.shellText(words))\n"
      }
      for file in step.files { text += describe(file) }
    }
    return text
  }

  /// An incremental chain, a line per backup with its size, then the total.
  static func describe(_ chain: [CompiledPlan.ChainMember]) -> String {
    var text = "  chain, full backup first, combined by pg_combinebackup:\n"
    var total: Int64? = 0
    for member in chain {
      text += "    \(member.id) (\(member.path)): \(member.how)"
      text += member.expandedSize.map { ", \(ByteCount.describe($0)) extracted" } ?? ", size unknown"
      text += "\n"
      total = total.flatMap { sum in member.expandedSize.map { sum + $0 } }
    }
    text += "    in all: " + (total.map { "\(ByteCount.describe($0)) extracted" } ?? "size unknown") + "\n"
    return text
  }

  /// A file a step writes, with every line of its content, as `apply` writes it.
  static func describe(_ file: FileContent) -> String {
    var text = "       writes \(file.path) (mode \(file.permissions)"
    text += file.owner.map { ", owner \($0)" } ?? ""
    text += file.content.isEmpty ? ", empty)\n" : "):\n"
    guard !file.content.isEmpty else { return text }
    var lines = file.content.split(separator: "\n", omittingEmptySubsequences: false)
    if file.content.hasSuffix("\n") {
      lines.removeLast()
    } else {
      text += "         (no newline at the end)\n"
    }
    for line in lines { text += "         \(line)\n" }
    return text
  }
}
