import Compiler
import Foundation

/// Where a restore stands, for `pitr status`: its journal, and what its server says.
public struct RestoreStatus: Sendable, Codable {
  public struct Server: Sendable, Codable {
    public var running: Bool
    /// `pg_is_in_recovery()`, when the server answered.
    public var inRecovery: Bool?
    /// `pg_get_wal_replay_pause_state()`: not paused, pause requested, paused.
    public var pauseState: String?
    /// `pg_last_wal_replay_lsn()`.
    public var replayLSN: String?
    /// Why the server did not answer, when it runs but did not.
    public var problem: String?
  }

  /// A step the journal says is done whose output is gone: `pitr apply` redoes the restore
  /// from it.
  public struct Redo: Sendable, Codable, Equatable {
    /// The step's id.
    public var step: String
    /// What is missing: "/srv/restore/data is gone".
    public var missing: String
  }

  /// The journal in the state directory; `nil` when no restore into the destination ran.
  public var journal: Journal?
  /// The process id of the `pitr apply` holding the destination's lock, when one runs; a
  /// step the journal says is running without one was interrupted.
  public var applyProcess: Int32?
  /// The first done step whose output is gone, if any.
  public var redo: Redo?
  /// Whether the journal belongs to this plan file as it is now.
  public var journalMatchesPlan: Bool
  public var server: Server
  /// The `recovery stopping …` line in the server log, once logged.
  public var loggedStop: String?
  /// The explanation of a recovery failure in the server log, if any.
  public var failure: String?

  /// Reads the destination's journal and log, and asks its server when it runs;
  /// `planHash` is the plan file's (`PlanCompiler.planHash(of:)`).
  public static func read(
    destination: CompiledPlan.ResolvedDestination, planHash: String, resolver: StepResolver
  ) -> RestoreStatus {
    let restored = RestoredServer(destination: destination, resolver: resolver)
    let journal = Journal.load(from: destination.stateDirectory)
    var server = Server(running: restored.isRunning)
    if server.running {
      do {
        let row =
          try restored.connect().query(
            "SELECT pg_is_in_recovery(), CASE WHEN pg_is_in_recovery() THEN pg_get_wal_replay_pause_state() END, "
              + "pg_last_wal_replay_lsn()"
          ).first ?? []
        server.inRecovery = row.first.flatMap { $0 }.map { $0 == "t" }
        server.pauseState = row.count > 1 ? row[1] : nil
        server.replayLSN = row.count > 2 ? row[2] : nil
      } catch  where journal?.status(of: "finish") == .done {
        // Handed over: it promoted (finish checked it), and the backup's own pg_hba.conf
        // need not let pitr in.
        server.inRecovery = false
      } catch {
        server.problem = "\(error)"
      }
    }
    let log = RecoveryLog.read(restored.log())
    let gone = journal.flatMap { StepOutputs(destination: destination).firstGone(in: $0) }
    return RestoreStatus(
      journal: journal, applyProcess: RunLock.holder(stateDirectory: destination.stateDirectory),
      redo: gone.map { Redo(step: $0.step, missing: $0.missing) },
      journalMatchesPlan: journal?.planHash == planHash, server: server,
      loggedStop: log.stopMessage, failure: log.failure)
  }
}
