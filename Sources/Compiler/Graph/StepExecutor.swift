/// Does the steps of a graph, one at a time or several at once: the graph says what and in
/// which order (a step runs once every step making its inputs is done), an executor says
/// how. It lives beside the graph, as swift-driver's `DriverExecutor` lives with its
/// planner; `Execution` implements it (one handler per step kind), so the compiler and its
/// tests never start a process.
public protocol StepExecutor: AnyObject, Sendable {
  /// Does one step's action, on any thread, maybe beside another step the graph does not
  /// order with it.
  ///
  /// - Throws: Why the step failed, in plain words.
  func execute(_ step: Step) throws

  /// Asks steps still running to stop early (another step failed); a step that cannot stop
  /// ends as it would.
  func cancel()

  /// What the step runs, as the dry run shows it (nil when it runs no program).
  func description(of step: Step) -> String?
}
