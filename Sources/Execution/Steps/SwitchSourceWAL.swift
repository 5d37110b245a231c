import Compiler
import Foundation
import PostgresClient

/// `switch-source-wal`: `pitr apply PLAN` switched before it compiled the plan, and the
/// payload records the segment it archived: the step reports it. A compiled plan from a dry
/// run (`pitr plan --format json`) records none: then the step switches now.
struct SwitchSourceWAL {
  let payload: StepAction.SwitchSourceWAL

  func run(_ step: Step, in context: StepContext) throws {
    if let segment = payload.archivedSegment {
      context.observer.progress(step, "done before the plan was checked: \(segment) is archived")
      return
    }
    guard !payload.conninfo.isEmpty else {
      throw RunnerError("the plan asks to switch WAL on the source but gives no source.conninfo")
    }
    try SourceWALSwitch(conninfo: payload.conninfo, walFolders: payload.walFolders, timeout: payload.timeout)
      .run { context.observer.progress(step, $0) }
  }
}

/// Runs `pg_switch_wal()` on the live source and waits until the
/// segment it closed is in the archive, so the newest changes are there before the restore.
///
/// `pitr apply PLAN` runs it as a phase before it compiles the plan (so the compiler sees
/// that WAL, and records the segment in the `switch-source-wal` step).
public struct SourceWALSwitch: Sendable {
  /// The source's libpq connection string (`source.conninfo`).
  public let conninfo: String
  /// The archive's folders (`backups.wal`).
  public let walFolders: [String]
  /// How long to wait for the archiver, in seconds.
  public var timeout: Double = 300

  public init(conninfo: String, walFolders: [String], timeout: Double = 300) {
    self.conninfo = conninfo
    self.walFolders = walFolders
    self.timeout = timeout
  }

  /// Switches and waits; returns the name of the segment that is now archived.
  ///
  /// - Parameter progress: Told what it waits for.
  /// - Throws: `RunnerError` when the source cannot be reached or the segment does not
  ///   arrive in time.
  @discardableResult
  public func run(progress: (String) -> Void = { _ in }) throws -> String {
    let name: String
    do {
      let connection = try PostgresConnection(conninfo: conninfo)
      guard let switched = try connection.query("SELECT pg_walfile_name(pg_switch_wal())").first?.first ?? nil
      else { throw RunnerError("pg_switch_wal() returned nothing") }
      name = switched
    } catch let failure as PostgresConnection.Failure {
      throw RunnerError("cannot switch WAL on the source (source.conninfo): \(failure.message)")
    }
    progress("waiting until \(name) is archived")
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
      if Self.isArchived(name, in: walFolders) { return name }
      usleep(200_000)
    }
    throw RunnerError(
      "\(name) did not reach the archive within \(Int(timeout)) seconds: check the source's "
        + "archive_command and pg_stat_archiver")
  }

  /// Whether a file of that name (plain, or gzip, zstd or lz4 compressed) is anywhere under the
  /// folders.
  static func isArchived(_ name: String, in folders: [String]) -> Bool {
    for folder in folders {
      guard let files = FileManager.default.enumerator(atPath: folder) else { continue }
      for case let path as String in files {
        let last = path.split(separator: "/").last.map(String.init) ?? path
        if last == name || [".gz", ".zst", ".lz4"].contains(where: { last == name + $0 }) {
          return true
        }
      }
    }
    return false
  }
}
