import Compiler
import Foundation

/// The executor of a restore's steps: hands each step's typed payload to the handler of its
/// kind (`Execution/Steps/<Kind>.swift`). It decides nothing the compiled plan does not say.
final class RestoreExecutor: StepExecutor, @unchecked Sendable {
  let context: StepContext

  init(context: StepContext) { self.context = context }

  func execute(_ step: Step) throws {
    switch step.action {
    case .checkDestination(let payload): try CheckDestination(payload: payload).run(step, in: context)
    case .switchSourceWAL(let payload): try SwitchSourceWAL(payload: payload).run(step, in: context)
    case .createDataDirectory(let payload): try CreateDataDirectory(payload: payload).run(step, in: context)
    case .extractBase(let payload): try ExtractBase(payload: payload).run(step, in: context)
    case .combineBackups(let payload): try CombineBackups(payload: payload).run(step, in: context)
    case .extractWAL(let payload): try ExtractWAL(payload: payload).run(step, in: context)
    case .extractTablespace(let payload): try ExtractTablespace(payload: payload).run(step, in: context)
    case .prefetchWAL(let payload): try PrefetchWAL(payload: payload).run(step, in: context)
    case .writeRecoveryConfig(let payload), .writeSignal(let payload):
      try WriteFiles(payload: payload).run(step, in: context)
    case .startServer(let payload): try StartServer(payload: payload).run(step, in: context)
    case .awaitTarget(let payload): try AwaitTarget(payload: payload).run(step, in: context)
    case .verify(let payload): try Verify(payload: payload).run(step, in: context)
    case .promote(let payload): try Promote(payload: payload).run(step, in: context)
    case .finish(let payload): try Finish(payload: payload).run(step, in: context)
    case .stopServer(let payload): try StopServer(payload: payload).run(step, in: context)
    }
  }

  func cancel() { context.cancel() }

  func description(of step: Step) -> String? {
    context.resolver.commandLine(of: step).map(StepResolver.shellText)
  }
}
