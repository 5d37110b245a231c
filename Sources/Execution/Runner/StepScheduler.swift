import Compiler
import Foundation

/// Runs a graph's steps with an executor in the order and with the concurrency the graph's
/// edges give: a step starts once every step making its inputs is done, and steps nothing
/// orders run at the same time (WAL prefetch beside extraction), at most `maxConcurrent` at
/// once. Steps the journal says are done are skipped. It knows no step kind.
final class StepScheduler {
  let graph: StepGraph
  let executor: any StepExecutor
  let journal: JournalStore
  let observer: RunObserver
  /// Where the journal is saved after every change; nil: not saved (tests).
  let stateDirectory: String?
  let maxConcurrent: Int

  init(
    graph: StepGraph, executor: any StepExecutor, journal: JournalStore, observer: RunObserver,
    stateDirectory: String?, maxConcurrent: Int = 2
  ) {
    self.graph = graph
    self.executor = executor
    self.journal = journal
    self.observer = observer
    self.stateDirectory = stateDirectory
    self.maxConcurrent = max(1, maxConcurrent)
  }

  /// Steps that ended, as their threads report them.
  private final class Completions: @unchecked Sendable {
    private let lock = NSLock()
    private let signal = DispatchSemaphore(value: 0)
    private var ended: [(id: String, error: Error?)] = []

    func post(_ id: String, _ error: Error?) {
      lock.withLock { ended.append((id, error)) }
      signal.signal()
    }

    func next() -> (id: String, error: Error?) {
      signal.wait()
      return lock.withLock { ended.removeFirst() }
    }
  }

  /// Runs every step not done yet; after a failure starts nothing more, waits for the steps
  /// still running, and throws the first error.
  func run() throws {
    let dependencies = graph.dependencies
    let steps = graph.ordered
    var started = Set<String>()
    var finished = Set<String>()
    var running = 0
    var failure: Error?
    let completions = Completions()
    while true {
      if failure == nil {
        running += try launchReady(
          steps, dependencies: dependencies, started: &started, finished: &finished, running: running,
          completions: completions)
      }
      if running == 0 { break }
      let (id, error) = completions.next()
      running -= 1
      guard let step = steps.first(where: { $0.id == id }) else { continue }
      if let error {
        journal.set(id, .failed, message: "\(error)")
        try? save()
        if failure == nil { executor.cancel() }
        failure = failure ?? error
      } else {
        journal.set(id, .done)
        try save()
        observer.stepFinished(step, skipped: false)
        finished.insert(id)
      }
    }
    if let failure { throw failure }
    if let stuck = steps.first(where: { !finished.contains($0.id) }) {
      throw RunnerError("step \(stuck.id) cannot run: " + (graph.problems().first ?? "its inputs are never made"))
    }
  }

  /// Starts (or skips, when done) every step whose dependencies are finished, within the
  /// bound; returns how many it started.
  private func launchReady(
    _ steps: [Step], dependencies: [String: [String]], started: inout Set<String>,
    finished: inout Set<String>, running: Int, completions: Completions
  ) throws -> Int {
    var launched = 0
    var progressed = true
    while progressed {
      progressed = false
      for step in steps where !started.contains(step.id) {
        guard (dependencies[step.id] ?? []).allSatisfy(finished.contains) else { continue }
        if journal.status(of: step.id) == .done {
          started.insert(step.id)
          finished.insert(step.id)
          observer.stepFinished(step, skipped: true)
          progressed = true
          break
        }
        guard running + launched < maxConcurrent else { return launched }
        started.insert(step.id)
        observer.stepStarted(step)
        journal.set(step.id, .running)
        try save()
        launched += 1
        let executor = executor
        Thread {
          do {
            try executor.execute(step)
            completions.post(step.id, nil)
          } catch {
            completions.post(step.id, error)
          }
        }.start()
      }
    }
    return launched
  }

  private func save() throws {
    if let stateDirectory { try journal.save(to: stateDirectory) }
  }
}
