import Compiler
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// What the step handlers share during one run: where to say what they do, how to resolve
/// commands, the report they fill in, and the journal they may ask. Handlers may run on two
/// threads at once, so everything mutable is behind a lock.
final class StepContext: @unchecked Sendable {
  let observer: RunObserver
  let resolver: StepResolver
  let journal: JournalStore
  /// How long to wait for recovery to reach the target (`pitr apply --timeout`).
  let timeout: Double
  private let lock = NSLock()
  private var report: RunReport
  private var cancelled = false

  init(observer: RunObserver, resolver: StepResolver, journal: JournalStore, timeout: Double, report: RunReport) {
    self.observer = observer
    self.resolver = resolver
    self.journal = journal
    self.timeout = timeout
    self.report = report
  }

  /// The report so far.
  var currentReport: RunReport { lock.withLock { report } }

  func updateReport(_ change: (inout RunReport) -> Void) { lock.withLock { change(&report) } }

  /// Whether another step failed and steps still running should stop.
  var isCancelled: Bool { lock.withLock { cancelled } }

  func cancel() { lock.withLock { cancelled = true } }

  /// Whether the journal says the step of that kind is done (a resumed run).
  func isDone(_ kind: Step.Kind) -> Bool { journal.status(of: kind.rawValue) == .done }

  /// The uid and gid files get when pitr runs as root and the plan names an `os_user`.
  static func owner(named name: String?) -> FileOwner? {
    guard getuid() == 0, let name else { return nil }
    return FileOwner(userName: name)
  }

  /// Gives `path` to the OS user `name` when pitr runs as root.
  static func chown(_ path: String, to name: String?) throws {
    guard let owner = owner(named: name) else { return }
    guard Glibc.chown(path, owner.uid, owner.gid) == 0 else {
      throw RunnerError("cannot give \(path) to \(name ?? "?"): \(String(cString: strerror(errno)))")
    }
  }
}

/// The journal behind a lock: the scheduler writes it as steps start and end, handlers on
/// other threads read it.
final class JournalStore: @unchecked Sendable {
  private let lock = NSLock()
  private var journal: Journal

  init(_ journal: Journal) { self.journal = journal }

  var value: Journal {
    get { lock.withLock { journal } }
    set { lock.withLock { journal = newValue } }
  }

  func status(of id: String) -> Journal.Status? { lock.withLock { journal.status(of: id) } }

  func set(_ id: String, _ status: Journal.Status, message: String? = nil) {
    lock.withLock { journal.set(id, status, message: message) }
  }

  func save(to stateDirectory: String) throws {
    let copy = value
    try copy.save(to: stateDirectory)
  }
}

/// Passes a run's events on one at a time, whichever thread they come from.
final class SerializedObserver: RunObserver, @unchecked Sendable {
  private let inner: RunObserver
  private let lock = NSLock()

  init(_ inner: RunObserver) { self.inner = inner }

  func stepStarted(_ step: Step) { lock.withLock { inner.stepStarted(step) } }
  func stepFinished(_ step: Step, skipped: Bool) { lock.withLock { inner.stepFinished(step, skipped: skipped) } }
  func progress(_ step: Step, _ message: String) { lock.withLock { inner.progress(step, message) } }
  func progress(_ step: Step, _ message: String, measure: ProgressMeasure) {
    lock.withLock { inner.progress(step, message, measure: measure) }
  }
  func note(_ message: String) { lock.withLock { inner.note(message) } }
}
