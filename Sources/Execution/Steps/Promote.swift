import Compiler

/// `promote`: `pg_promote()` only if every check passed; otherwise the server stays paused
/// at the target, read-only, and the run fails.
struct Promote {
  let payload: StepAction.Promote

  func run(_ step: Step, in context: StepContext) throws {
    guard context.currentReport.checks.allSatisfy(\.passed) else {
      context.updateReport { $0.outcome = .checksFailed }
      throw RunnerError(
        "a check failed, so the server was not promoted: it is left paused at the target on "
          + "port \(payload.connection.port), read-only, for you to look at")
    }
    let server = RestoredServer(connection: payload.connection, resolver: context.resolver)
    // A run interrupted after pg_promote() left it promoted already.
    if try server.inRecovery() {
      _ = try server.connect().query("SELECT pg_promote(true, \(payload.timeout))")
      guard try server.inRecovery() == false else {
        throw RunnerError("the server did not promote", logExcerpt: server.logTail(8))
      }
    }
    context.updateReport { $0.outcome = .promoted }
  }
}
