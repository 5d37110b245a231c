import Compiler
import Foundation
import Testing

@testable import Execution

/// The scheduler takes order and concurrency from the graph's edges alone, with a fake
/// executor that records which steps overlap.
@Suite struct StepSchedulerTests {
  /// Records, for each step, which steps were running when it started; a step named in
  /// `failing` throws.
  final class OverlapExecutor: StepExecutor, @unchecked Sendable {
    private let lock = NSLock()
    private var running: Set<String> = []
    private(set) var overlaps: [String: Set<String>] = [:]
    private(set) var cancelled = false
    let failing: String?

    init(failing: String? = nil) { self.failing = failing }

    func execute(_ step: Step) throws {
      lock.withLock {
        overlaps[step.id] = running
        running.insert(step.id)
      }
      usleep(100_000)
      lock.withLock { _ = running.remove(step.id) }
      if step.id == failing { throw RunnerError("\(step.id) failed") }
    }

    func cancel() { lock.withLock { cancelled = true } }
    func description(of step: Step) -> String? { nil }
  }

  private let signal = StepAction.writeSignal(.init(files: []))

  /// create → (extract, prefetch) → (config after extract) → start (needs config and spool).
  private var graph: StepGraph {
    StepGraph(steps: [
      Step(id: "create", action: signal, summary: "", outputs: [.dataDirectory]),
      Step(id: "extract", action: signal, summary: "", inputs: [.dataDirectory], outputs: [.baseFiles]),
      Step(id: "prefetch", action: signal, summary: "", inputs: [.dataDirectory], outputs: [.walSpool]),
      Step(id: "config", action: signal, summary: "", inputs: [.baseFiles], outputs: [.recoveryConfig]),
      Step(id: "start", action: signal, summary: "", inputs: [.recoveryConfig, .walSpool], outputs: [.runningServer]),
    ])
  }

  private func scheduler(_ executor: OverlapExecutor, journal: Journal? = nil) -> (StepScheduler, JournalStore) {
    let store = JournalStore(
      journal ?? Journal(planHash: "p", catalogFingerprint: "c", stepIDs: graph.ordered.map(\.id)))
    return (
      StepScheduler(graph: graph, executor: executor, journal: store, observer: SilentObserver(), stateDirectory: nil),
      store
    )
  }

  @Test func stepsNothingOrdersRunTogetherAndEdgesAreWaitedFor() throws {
    let executor = OverlapExecutor()
    let (scheduler, journal) = scheduler(executor)

    try scheduler.run()

    #expect(executor.overlaps["create"] == [])
    // Nothing orders extraction and prefetch: they start together.
    #expect(executor.overlaps["prefetch"] == ["extract"] || executor.overlaps["extract"] == ["prefetch"])
    // start needs the spool and the configuration: it waits for both.
    #expect(executor.overlaps["start"] == [])
    #expect(journal.value.steps.allSatisfy { $0.status == .done })
  }

  @Test func aFailureCancelsTheOthersAndStartsNothingMore() throws {
    let executor = OverlapExecutor(failing: "extract")
    let (scheduler, journal) = scheduler(executor)

    let error = try #require(throws: RunnerError.self) { try scheduler.run() }

    #expect(error.description == "extract failed")
    #expect(executor.cancelled)
    #expect(journal.status(of: "extract") == .failed)
    // prefetch, already running beside it, ends; nothing after extraction starts.
    #expect(journal.status(of: "prefetch") == .done)
    #expect(journal.status(of: "config") == .pending)
    #expect(executor.overlaps["start"] == nil)
  }

  @Test func doneStepsAreSkippedInOrder() throws {
    var journal = Journal(planHash: "p", catalogFingerprint: "c", stepIDs: graph.ordered.map(\.id))
    for id in ["create", "extract", "prefetch"] { journal.set(id, .done) }
    let executor = OverlapExecutor()
    let (scheduler, _) = scheduler(executor, journal: journal)

    try scheduler.run()

    #expect(Set(executor.overlaps.keys) == ["config", "start"])
  }

  @Test func atMostTwoStepsRunAtOnce() throws {
    let many = StepGraph(
      steps: (1...5).map { Step(id: "s\($0)", action: signal, summary: "", outputs: [Artifact("a\($0)")]) })
    let executor = OverlapExecutor()
    let store = JournalStore(Journal(planHash: "p", catalogFingerprint: "c", stepIDs: many.ordered.map(\.id)))

    try StepScheduler(graph: many, executor: executor, journal: store, observer: SilentObserver(), stateDirectory: nil)
      .run()

    #expect(executor.overlaps.count == 5)
    #expect(executor.overlaps.values.allSatisfy { $0.count <= 1 })
  }
}

final class SilentObserver: RunObserver {
  func stepStarted(_ step: Step) {}
  func stepFinished(_ step: Step, skipped: Bool) {}
  func progress(_ step: Step, _ message: String) {}
  func note(_ message: String) {}
}
