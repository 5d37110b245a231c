import Compiler
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Runs a compiled plan: takes the lock, keeps the journal beside the data directory,
/// resumes an interrupted run, and has `StepScheduler` walk the step graph (a step once the
/// steps making its inputs are done, WAL prefetch beside extraction) with `RestoreExecutor`,
/// whose handlers do each step's payload. It knows no more of the steps than their ids.
public final class RestoreRunner {
  public let plan: CompiledPlan
  public let resolver: StepResolver
  private let observer: RunObserver
  /// How long to wait for recovery to reach the target.
  private let timeout: Double
  private let server: RestoredServer
  private let journal: JournalStore

  public init(plan: CompiledPlan, resolver: StepResolver, observer: RunObserver, timeout: Double = 86_400) {
    self.plan = plan
    self.resolver = resolver
    self.observer = SerializedObserver(observer)
    self.timeout = timeout
    server = RestoredServer(destination: plan.destination, resolver: resolver)
    journal = JournalStore(
      Journal(
        planHash: plan.planHash, catalogFingerprint: plan.catalogFingerprint,
        stepIDs: plan.graph.ordered.map(\.id), backup: plan.backup.id))
  }

  var state: String { plan.destination.stateDirectory }

  /// Runs every step not done yet.
  ///
  /// - Throws: `RunnerError` in plain words (with the server's log lines when they explain
  ///   it), `RunLock.Held` when another run holds the destination.
  public func run() throws -> RunReport {
    try prepareStateDirectory()
    let lock = RunLock(stateDirectory: state)
    try lock.acquire()
    defer { lock.release() }
    try resumeOrStart()
    // What the action leaves when every step is done (a resumed run may skip them all).
    let finished: RunReport.Outcome =
      switch plan.action {
      case .pause: .paused
      case .shutdown: .shutDown
      case .promote, .promoteIfVerified: .promoted
      }
    let context = StepContext(
      observer: observer, resolver: resolver, journal: journal, timeout: timeout,
      report: RunReport(
        outcome: finished, loggedStop: nil, predictedStop: plan.prediction.stopMessage, checks: [],
        serverLog: ""))
    try StepScheduler(
      graph: plan.graph, executor: RestoreExecutor(context: context), journal: journal, observer: observer,
      stateDirectory: state
    ).run()
    var report = context.currentReport
    report.loggedStop = RecoveryLog.read(server.log()).stopMessage
    report.serverLog = server.log()
    return report
  }

  /// For drills and the demo: stops the restored server and removes everything the run made
  /// (the data directory, the tablespace directories, the state directory).
  public func tearDown() {
    server.stop()
    for path in [plan.destination.dataDirectory, state] + plan.destination.tablespaces.map(\.location) {
      try? FileManager.default.removeItem(atPath: path)
    }
  }

  private func prepareStateDirectory() throws {
    try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
    chmod(state, 0o700)
    try StepContext.chown(state, to: plan.destination.osUser)
  }

  /// Picks up a journal left by an earlier run of this plan, or refuses one of another plan.
  private func resumeOrStart() throws {
    guard var previous = Journal.load(from: state) else { return }
    guard previous.planHash == plan.planHash, previous.catalogFingerprint == plan.catalogFingerprint
    else {
      throw RunnerError(
        "\(state) holds the journal of another restore (another plan, or the backups changed "
          + "since); remove \(plan.destination.dataDirectory) and \(state) to start again")
    }
    for index in previous.steps.indices where previous.steps[index].status != .done {
      previous.steps[index].status = .pending
    }
    previous.backup = previous.backup ?? plan.backup.id
    journal.value = previous
    observer.note("resuming the restore recorded in \(Journal.path(in: state))")
    // A step is done only while its output exists.
    if let gone = StepOutputs(destination: plan.destination).firstGone(in: journal.value) {
      redo(from: gone.step)
      observer.note("\(gone.missing): redoing the restore from \(gone.step)")
    }
    try clearInterruptedExtraction()
    resumeServerSteps()
  }

  /// The server's steps as the server is now: started again when it stopped, done when an
  /// interrupted run's pg_ctl started it, the checks again before promoting.
  private func resumeServerSteps() {
    // A shutdown run that reached its target stopped the server on purpose.
    let stoppedAtTarget = plan.action == .shutdown && journal.status(of: "await-target") == .done
    if journal.status(of: "start-server") == .done, !server.isRunning, !stoppedAtTarget, !isPromoted {
      // The server stopped (or the machine restarted): start it again; recovery resumes.
      journal.set("start-server", .pending)
    }
    if journal.status(of: "start-server") == .pending, server.isRunning {
      // Killed while pg_ctl started it: the server runs, recovering.
      journal.set("start-server", .done)
      observer.note("the server the interrupted run started is running: following it")
    }
    if journal.status(of: "promote") == .pending, journal.status(of: "verify") == .done {
      // The checks' results are not in the journal: run them again before promoting.
      journal.set("verify", .pending)
    }
  }

  /// Whether the journal says the server promoted (every step `finish` waits for is done):
  /// from then on `finish` starts it itself, with the finished settings, and the restore's
  /// start-server must not start it again for a recovery that is over.
  private var isPromoted: Bool {
    guard let finish = plan.graph.steps.first(where: { $0.kind == .finish }) else { return false }
    return (plan.graph.dependencies[finish.id] ?? []).allSatisfy { journal.status(of: $0) == .done }
  }

  /// Marks `id` and every step after it pending; when that redoes the data directory, the
  /// destination check before it too.
  private func redo(from id: String) {
    let ordered = plan.graph.ordered.map(\.id)
    guard let first = ordered.firstIndex(of: id) else { return }
    for later in ordered[first...] { journal.set(later, .pending) }
    if id == "create-data-directory" { journal.set("check-destination", .pending) }
  }

  /// After a run stopped while extracting: clears what it wrote, so the extraction starts
  /// again in an empty directory, or refuses when the data directory (or a tablespace
  /// location) holds files pitr did not write. The server never started on it.
  private func clearInterruptedExtraction() throws {
    // extract-base writes everything (extract-wal and extract-tablespace-* only check what
    // it wrote, and run again by themselves).
    guard let base = plan.graph.ordered.first(where: { $0.kind == .extractBase || $0.kind == .combineBackups }),
      journal.status(of: base.id) != .done
    else { return }
    if case .combineBackups(let payload) = base.action, let group = CombineBackups.stopLeftover(payload) {
      observer.note(
        "pg_combinebackup of a previous run was still running (process group \(group)): stopped it before "
          + "clearing what it wrote")
    }
    let extraction: Set<Step.Kind> = [.extractBase, .combineBackups, .extractWAL, .extractTablespace]
    let unfinished = plan.graph.ordered.filter {
      extraction.contains($0.kind) && journal.status(of: $0.id) != .done
    }
    // Extraction starts over, so does everything after it; the log of a server started
    // from an earlier extraction would be read as the new one's.
    redo(from: base.id)
    if FileManager.default.fileExists(atPath: server.logPath) {
      try? FileManager.default.removeItem(atPath: server.logPath + ".previous")
      try? FileManager.default.moveItem(atPath: server.logPath, toPath: server.logPath + ".previous")
    }
    let partial = PartialExtraction(plan: plan)
    guard !partial.isEmpty else { return }
    let steps = unfinished.map(\.id).joined(separator: ", ")
    let data = plan.destination.dataDirectory
    guard journal.status(of: "create-data-directory") == .done else {
      throw RunnerError(
        "a previous run stopped before it had created \(data), and it is not empty now; pitr "
          + "restores only into an absent or empty directory: remove \(data) and \(state), "
          + "then run pitr apply again")
    }
    let foreign = try partial.foreignFiles()
    guard foreign.isEmpty else {
      throw RunnerError(
        "a previous run stopped while extracting (\(steps) not finished), and \(data) now holds "
          + "files pitr did not write (\(foreign.joined(separator: ", "))); pitr removes only what it "
          + "wrote: move them away, or remove \(data) and \(state), then run pitr apply again")
    }
    try partial.clear()
    observer.note(
      "a previous run stopped while extracting (\(steps) not finished); pitr made \(data) and "
        + "everything in it came from the backup: cleared it, extracting again")
  }
}
