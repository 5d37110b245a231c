import Compiler
import Foundation
import PostgresVocabulary
import WAL

/// `await-target`: follows the server's log and state until recovery reaches the target
/// (promoted, paused, or shut down as the action says), failing with the log excerpt on any
/// FATAL of recovery, and reports the replayed position against the predicted stop.
struct AwaitTarget {
  let payload: StepAction.AwaitTarget

  func run(_ step: Step, in context: StepContext) throws {
    let server = RestoredServer(connection: payload.connection, resolver: context.resolver)
    let timeout = context.timeout
    let deadline = Date().addingTimeInterval(timeout)
    let startDeadline = Date().addingTimeInterval(30)
    var lastProgress = ""
    var seenRunning = false
    while Date() < deadline {
      let log = RecoveryLog.read(server.logSinceStart())
      if let failure = log.failure {
        server.stop()
        throw RunnerError(failure, logExcerpt: log.failureLines)
      }
      if let outcome = reached(log, server: server) {
        context.updateReport { $0.outcome = outcome }
        return
      }
      // pg_ctl returns before the postmaster writes its pid file: allow it a moment.
      let running = server.isRunning
      if running { seenRunning = true }
      if !running, seenRunning || Date() > startDeadline, !log.shutDownAtTarget {
        throw RunnerError("the server stopped before reaching the target", logExcerpt: server.logTail())
      }
      report(step, server: server, context: context, last: &lastProgress)
      usleep(200_000)
    }
    throw RunnerError(
      "recovery did not reach the target within \(timeout >= 1 ? "\(Int(timeout))" : "\(timeout)") "
        + "seconds; the server is left running, recovering (its log is \(server.logPath)): run "
        + "pitr apply again to keep waiting, with a longer --timeout",
      logExcerpt: server.logTail())
  }

  /// The outcome once the server is where the action leaves it.
  private func reached(_ log: RecoveryLog.State, server: RestoredServer) -> RunReport.Outcome? {
    switch payload.action {
    case .promote:
      if log.promoted, log.readyForConnections, (try? server.inRecovery()) == false { return .promoted }
    case .pause, .promoteIfVerified:
      if log.paused, (try? server.isPaused()) == true { return .paused }
    case .shutdown:
      if log.shutDownAtTarget, !server.isRunning { return .shutDown }
    }
    return nil
  }

  /// Tells the observer the replayed position, when it moved.
  private func report(_ step: Step, server: RestoredServer, context: StepContext, last: inout String) {
    guard let replayed = try? server.replayLocation() else { return }
    let stop = payload.predictedStopLSN
    let message = ReplayProgress.describe(replayed: replayed, predictedStop: stop)
    guard message != last, let position = LSN(replayed) else { return }
    context.observer.progress(
      step, message, measure: ProgressMeasure(done: position.rawValue, total: stop?.rawValue, unit: .walPosition))
    last = message
  }
}
