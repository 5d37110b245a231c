import Compiler
import Foundation
import Processes

/// `start-server`: runs the step's `pg_ctl start`, resolved as the dry run shows it.
struct StartServer {
  let payload: StepAction.StartServer

  func run(_ step: Step, in context: StepContext) throws {
    guard let words = context.resolver.commandLine(of: step) else { return }
    let server = RestoredServer(connection: payload.connection, resolver: context.resolver)
    server.markStart()
    let result = try ProcessRunner.run(words[0], Array(words.dropFirst()), timeout: payload.timeout)
    // A pg_ctl of an interrupted run may have started it meanwhile.
    guard result.succeeded || server.isRunning else {
      throw RunnerError(
        "the server did not start: \(result.standardError.trimmingCharacters(in: .whitespacesAndNewlines))",
        logExcerpt: server.logTail())
    }
  }
}
