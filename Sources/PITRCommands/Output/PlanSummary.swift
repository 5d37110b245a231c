import Compiler
import PlanModel

/// A few lines saying what a valid plan asks for, printed by `pitr validate`.
enum PlanSummary {
  /// - Parameter resolvedDataDirectory: Where the compiled plan restores to, once the links
  ///   of the written path are resolved; shown when it differs.
  static func describe(_ plan: Plan, resolvedDataDirectory: String? = nil) -> String {
    var lines = ["\(plan.file): valid plan '\(plan.name.value)'"]
    lines.append("  restore:  \(plan.backups.base.value) (backup: \(plan.backups.select.value))")
    lines.append("  wal:      " + plan.backups.wal.map(\.value).joined(separator: ", "))
    lines.append("  target:   \(describe(plan.target))")
    let written = plan.destination.dataDirectory.value
    let parts = written.split(separator: "/").filter { $0 != "." }
    if let resolved = resolvedDataDirectory,
      resolved != (written.hasPrefix("/") ? "/" : "") + parts.joined(separator: "/")
    {
      lines.append(
        "  into:     \(resolved) (port \(plan.destination.port.value)), through the link in \(written)")
    } else {
      lines.append("  into:     \(written) (port \(plan.destination.port.value))")
    }
    var action = "  then:     \(plan.action.value.rawValue)"
    if !plan.verify.isEmpty {
      action += " (\(plan.verify.count) check\(plan.verify.count == 1 ? "" : "s"))"
    }
    lines.append(action)
    return lines.joined(separator: "\n") + "\n"
  }

  /// What the compiler decided, in a few lines.
  static func describe(_ compiled: CompiledPlan) -> String {
    var lines = ["  backup:   \(compiled.backup.id) (\(compiled.backup.reason))"]
    if let message = compiled.prediction.stopMessage {
      lines.append("  stops:    \(message)")
    } else {
      lines.append("  stops:    at the end of the archived WAL")
    }
    lines.append(
      "  fetches:  \(compiled.prediction.fetchDescription(noun: "WAL segment")); "
        + "pitr plan shows every step")
    return lines.joined(separator: "\n") + "\n"
  }

  static func describe(_ target: RecoveryTarget) -> String {
    let kind: String =
      switch target.kind.value {
      case .time(let time): "time '\(time.text)'" + (time.zone == .unspecified ? " (in the backup's timezone)" : "")
      case .name(let name): "restore point '\(name)'"
      case .lsn(let lsn): "LSN \(lsn)"
      case .xid(let xid): "transaction \(xid)"
      case .immediate: "end of the backup (immediate)"
      case .latest: "end of the archived WAL (latest)"
      }
    var text = kind
    if target.kind.value.usesInclusive {
      text += target.inclusive.value ? ", inclusive" : ", exclusive"
    }
    return text + ", timeline \(target.timeline.value)"
  }
}
