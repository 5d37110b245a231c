import Compiler
import Foundation
import PlanModel
import PostgresVocabulary

/// Where a finished restore stands now: its journal and what its server says. Read by
/// `pitr advance` (is it paused, and where) and by `pitr apply` (is it already at the target).
public struct RestorePosition: Sendable {
  public var journal: Journal?
  public var running: Bool
  public var inRecovery: Bool?
  public var paused: Bool?
  /// `pg_last_wal_replay_lsn()`.
  public var replayLSN: LSN?
  /// `pg_last_xact_replay_timestamp()`, as the server writes it.
  public var lastReplayedTransaction: String?
  /// The `recovery stopping …` line of the server's current log.
  public var loggedStop: String?

  /// Reads the destination's journal and log, and asks its server when it runs.
  public static func read(destination: CompiledPlan.ResolvedDestination, resolver: StepResolver) -> RestorePosition {
    let server = RestoredServer(destination: destination, resolver: resolver)
    var position = RestorePosition(
      journal: Journal.load(from: destination.stateDirectory), running: server.isRunning,
      loggedStop: RecoveryLog.read(server.log()).stopMessage)
    guard position.running,
      let row = try? server.connect().query(
        "SELECT pg_is_in_recovery(), CASE WHEN pg_is_in_recovery() THEN pg_get_wal_replay_pause_state() END, "
          + "pg_last_wal_replay_lsn(), pg_last_xact_replay_timestamp()"
      ).first, row.count == 4
    else { return position }
    position.inRecovery = row[0] == "t"
    position.paused = row[1] == "paused"
    position.replayLSN = row[2].flatMap { LSN($0) }
    position.lastReplayedTransaction = row[3]
    return position
  }

  /// Whether the server is where the action leaves it at the target.
  public func isAtTarget(of action: RecoveryAction) -> Bool {
    switch action {
    case .pause: running && inRecovery == true && paused == true
    case .promote: running && inRecovery == false
    case .promoteIfVerified: running && (inRecovery == false || paused == true)
    case .shutdown: !running
    }
  }

  /// "0/3007528 (recovery stopping before commit of transaction 740, time …)".
  var described: String {
    var text = replayLSN.map { "\($0)" } ?? "an unknown position"
    if let loggedStop { text += " (\(loggedStop))" }
    return text
  }
}

/// `pitr advance PLAN --to TARGET`: moves a restore that `pitr apply` left paused to a later
/// target. The compiled plan (compiled in advance mode for the new target) holds the steps:
/// stop the server, write postgresql.auto.conf again, start it, follow it to the new target,
/// the checks and the action. Nothing is extracted again. The lock and the journal are the
/// restore's own: the advance is recorded in the journal's `advances`.
public final class AdvanceRunner {
  public let plan: CompiledPlan
  public let resolver: StepResolver
  /// The new target as the user wrote it (`time=…`), for messages and the journal.
  public let targetArgument: String
  /// The plan file, for the commands messages give.
  public let planFile: String
  private let observer: RunObserver
  private let timeout: Double

  public init(
    plan: CompiledPlan, resolver: StepResolver, targetArgument: String, planFile: String, observer: RunObserver,
    timeout: Double = 86_400
  ) {
    self.plan = plan
    self.resolver = resolver
    self.targetArgument = targetArgument
    self.planFile = planFile
    self.observer = SerializedObserver(observer)
    self.timeout = timeout
  }

  /// The new target lies before (or at) where the restore is paused.
  public struct Backwards: Error, CustomStringConvertible {
    public var description: String
  }

  /// What `check` found: move, or nothing to do (already paused at that target).
  public enum Decision: Sendable {
    case advance(from: RestorePosition)
    case alreadyThere(RestorePosition)
  }

  private var data: String { plan.destination.dataDirectory }
  private var state: String { plan.destination.stateDirectory }

  /// Checks that the destination holds a finished restore, its server running and paused,
  /// and that the new target lies after where it is paused.
  ///
  /// - Throws: `RunnerError` saying why not and what to do instead.
  public func check() throws -> Decision {
    let position = RestorePosition.read(destination: plan.destination, resolver: resolver)
    guard let journal = position.journal, journal.isFinished else {
      throw RunnerError(
        "\(data) holds no finished restore (no journal in \(state), or its steps are not all done); "
          + "pitr advance moves a restore that pitr apply left paused: run pitr apply \(planFile) first")
    }
    if let backup = journal.backup, backup != plan.backup.id {
      throw RunnerError(
        "\(data) was restored from backup \(backup), but the plan now selects backup \(plan.backup.id); "
          + "set backups.select to \(backup) in \(planFile) to advance this restore")
    }
    guard position.running else {
      throw RunnerError(
        "the server of \(data) is not running; pitr advance moves a server paused at its target: "
          + "start it (pg_ctl -D \(data) -l \(state)/server.log start), wait until pitr status \(planFile) "
          + "says it is paused, then run pitr advance again")
    }
    guard position.inRecovery != false else {
      throw RunnerError(
        "the server of \(data) was promoted (it is no longer recovering); recovery ends at a promotion, "
          + "so it cannot move forward: restore afresh with the later target (pitr apply \(planFile), "
          + "into an empty destination.data_directory)")
    }
    guard position.paused == true, let replayed = position.replayLSN else {
      throw RunnerError(
        "the server of \(data) is still recovering, not paused at a target; wait until pitr status "
          + "\(planFile) says it is paused, then run pitr advance again")
    }
    if position.loggedStop != nil, RecoveryStop.sameStop(position.loggedStop, plan.prediction.stopMessage) {
      return .alreadyThere(position)
    }
    guard let stop = plan.prediction.stopLSN, stop >= replayed else {
      var message =
        "the target \(targetArgument) stops at \(plan.prediction.stopLSN.map { "\($0)" } ?? "the end of the WAL")"
      message += ", before where the restore in \(data) is paused: \(position.described)"
      if let time = position.lastReplayedTransaction { message += ", last transaction replayed at \(time)" }
      message +=
        "; recovery only moves forward and cannot undo what it replayed: to go back, restore afresh "
        + "with that target in the plan (stop this server with pg_ctl -D \(data) stop, remove \(data) "
        + "and \(state), then run pitr apply \(planFile))"
      throw Backwards(description: message)
    }
    return .advance(from: position)
  }

  /// Runs the advance's steps under the restore's lock, recording it in the journal.
  public func run(from position: RestorePosition) throws -> RunReport {
    let lock = RunLock(stateDirectory: state)
    try lock.acquire()
    defer { lock.release() }
    var journal = position.journal ?? Journal(planHash: plan.planHash, catalogFingerprint: "", stepIDs: [])
    var record = Journal.Advance(
      target: targetArgument, status: .running, started: Date(), fromLSN: position.replayLSN.map { "\($0)" },
      predictedStop: plan.prediction.stopMessage)
    journal.advances = (journal.advances ?? []) + [record]
    let index = (journal.advances?.count ?? 1) - 1
    try journal.save(to: state)
    let finished: RunReport.Outcome =
      switch plan.action {
      case .pause: .paused
      case .shutdown: .shutDown
      case .promote, .promoteIfVerified: .promoted
      }
    let steps = JournalStore(
      Journal(planHash: plan.planHash, catalogFingerprint: "", stepIDs: plan.graph.ordered.map(\.id)))
    let context = StepContext(
      observer: observer, resolver: resolver, journal: steps, timeout: timeout,
      report: RunReport(
        outcome: finished, loggedStop: nil, predictedStop: plan.prediction.stopMessage, checks: [], serverLog: ""))
    let server = RestoredServer(destination: plan.destination, resolver: resolver)
    do {
      try StepScheduler(
        graph: plan.graph, executor: RestoreExecutor(context: context), journal: steps, observer: observer,
        stateDirectory: nil
      ).run()
    } catch {
      record.status = .failed
      record.finished = Date()
      record.message = "\(error)"
      journal.advances?[index] = record
      try? journal.save(to: state)
      throw error
    }
    var report = context.currentReport
    report.loggedStop = RecoveryLog.read(server.log()).stopMessage
    report.serverLog = server.log()
    record.status = .done
    record.finished = Date()
    record.loggedStop = report.loggedStop
    journal.advances?[index] = record
    try journal.save(to: state)
    return report
  }
}
