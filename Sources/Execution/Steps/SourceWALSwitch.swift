import Compiler
import Foundation
import PostgresClient

/// `switch-source-wal`: runs `pg_switch_wal()` on the live source and waits until the
/// segment it closed is in the archive, so the newest changes are there before the restore.
struct SourceWALSwitch {
  let plan: CompiledPlan
  /// How long to wait for the archiver.
  var timeout: Double = 300

  func run(observer: RunObserver, step: Step) throws {
    guard let conninfo = plan.sourceConnection else {
      throw RunnerError("the plan asks to switch WAL on the source but gives no source.conninfo")
    }
    let name: String
    do {
      let connection = try PostgresConnection(conninfo: conninfo)
      guard let switched = try connection.query("SELECT pg_walfile_name(pg_switch_wal())").first?.first ?? nil
      else { throw RunnerError("pg_switch_wal() returned nothing") }
      name = switched
    } catch let failure as PostgresConnection.Failure {
      throw RunnerError("cannot switch WAL on the source: \(failure.message)")
    }
    observer.progress(step, "waiting until \(name) is archived")
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
      if Self.isArchived(name, in: plan.destination.walFolders) { return }
      usleep(500_000)
    }
    throw RunnerError(
      "\(name) did not reach the archive within \(Int(timeout)) seconds: check the source's "
        + "archive_command and pg_stat_archiver")
  }

  /// Whether a file of that name (plain or gzip'd) is anywhere under the folders.
  static func isArchived(_ name: String, in folders: [String]) -> Bool {
    for folder in folders {
      guard let files = FileManager.default.enumerator(atPath: folder) else { continue }
      for case let path as String in files {
        let last = path.split(separator: "/").last.map(String.init) ?? path
        if last == name || last == name + ".gz" { return true }
      }
    }
    return false
  }
}
