import Catalog
import PlanModel

/// The hot-standby settings replay needs at least as high as the primary had them (from the
/// backup's `pg_control`): lower, and replay stops halfway ("recovery aborted because of
/// insufficient parameter settings"). pitr writes each at the larger of the plan's value and
/// the primary's, and says when it raised one.
enum SettingsFloor {
  struct Raised {
    var lines: [RecoveryConfiguration.Line]
    /// Plan settings raised, with where they were set.
    var notes: [(message: String, location: SourceLocation)]
  }

  static func apply(control: BaseBackup.Control, settings: [Setting]) -> Raised {
    let floors: [(String, Int)] = [
      ("max_connections", control.maxConnections),
      ("max_worker_processes", control.maxWorkerProcesses),
      ("max_wal_senders", control.maxWALSenders),
      ("max_prepared_transactions", control.maxPreparedTransactions),
      ("max_locks_per_transaction", control.maxLocksPerTransaction),
    ]
    var lines: [RecoveryConfiguration.Line] = []
    var notes: [(String, SourceLocation)] = []
    for (name, floor) in floors {
      let planned = settings.last { $0.name.value.lowercased() == name }
      if let planned, let value = Int(planned.value.value), value >= floor {
        lines.append(.init(name, String(value), comment: "from the plan; the primary had \(floor)"))
        continue
      }
      if let planned {
        notes.append(
          (
            "\(name) = \(planned.value.value) is lower than on the primary (\(floor)); pitr "
              + "writes \(floor), since replay stops with a lower value (it can be lowered "
              + "after promotion)", planned.value.location
          ))
      }
      lines.append(.init(name, String(floor), comment: "at least the primary's (pg_control)"))
    }
    return Raised(lines: lines, notes: notes)
  }

  /// Whether a plan setting is one of those the floor writes itself.
  static func isFloored(_ name: String) -> Bool {
    [
      "max_connections", "max_worker_processes", "max_wal_senders", "max_prepared_transactions",
      "max_locks_per_transaction",
    ].contains(name.lowercased())
  }
}
