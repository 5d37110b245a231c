import Compiler
import Foundation

/// What each step leaves on disk, so that a step counts as done only while its output is
/// there: a data directory removed after a restore (`rm -rf`, `DATA.pitr` kept) is restored
/// again from the first step whose output is gone, instead of every step being skipped.
///
/// Steps are named by their ids (the journal's), so `pitr status` can ask with the journal
/// alone, when the plan no longer compiles.
struct StepOutputs {
  let destination: CompiledPlan.ResolvedDestination

  /// A done step whose output is gone.
  struct Gone: Equatable {
    /// The step's id: pitr apply redoes the restore from it.
    var step: String
    /// What is missing, in words: "/srv/restore/data is gone".
    var missing: String
  }

  /// The first step the journal says is done whose output is gone, or nil.
  func firstGone(in journal: Journal) -> Gone? {
    let serverStarted = journal.status(of: "start-server") == .done
    for entry in journal.steps where entry.status == .done {
      if let missing = missing(of: entry.id, serverStarted: serverStarted) {
        return Gone(step: entry.id, missing: missing)
      }
    }
    return nil
  }

  /// What is missing of the output of step `id`, or nil when it is there (or the step
  /// leaves nothing on disk to look at).
  ///
  /// - Parameter serverStarted: Whether the server was started: it consumes the recovery
  ///   configuration and `recovery.signal` (PostgreSQL removes the signal once it promotes),
  ///   so those are looked for only before.
  func missing(of id: String, serverStarted: Bool) -> String? {
    let data = destination.dataDirectory
    switch id {
    case "create-data-directory":
      return isDirectory(data) ? nil : "\(data) is gone"
    case "extract-base", "combine-backups":
      return firstAbsent(["\(data)/PG_VERSION", "\(data)/global/pg_control"])
    case "extract-wal":
      return isDirectory("\(data)/pg_wal") ? nil : "\(data)/pg_wal is gone"
    case "write-recovery-config":
      if let gone = firstAbsent(["\(destination.stateDirectory)/pg_hba.conf"]) { return gone }
      guard !serverStarted else { return nil }
      let text = (try? String(contentsOfFile: "\(data)/postgresql.auto.conf", encoding: .utf8)) ?? ""
      return text.contains(RecoveryConfiguration.beginMarker)
        ? nil : "the pitr block of \(data)/postgresql.auto.conf is gone"
    case "write-signal":
      return serverStarted ? nil : firstAbsent(["\(data)/recovery.signal"])
    default:
      guard id.hasPrefix("extract-tablespace-"),
        let tablespace = destination.tablespaces.first(where: { id == "extract-tablespace-\($0.oid)" })
      else { return nil }
      return isDirectory(tablespace.location) ? nil : "\(tablespace.location) is gone"
    }
  }

  private func isDirectory(_ path: String) -> Bool {
    var isDirectory: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
  }

  private func firstAbsent(_ paths: [String]) -> String? {
    paths.first { !FileManager.default.fileExists(atPath: $0) }.map { "\($0) is gone" }
  }
}
