import Compiler

/// `stop-server`: the server stopped at the target by itself (`recovery_target_action =
/// shutdown`, followed by `await-target`); this step records the outcome.
struct StopServer {
  let payload: StepAction.StopServer

  func run(_ step: Step, in context: StepContext) throws {
    context.updateReport { $0.outcome = .shutDown }
  }
}
