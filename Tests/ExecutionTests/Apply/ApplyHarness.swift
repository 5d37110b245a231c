import Catalog
import Compiler
import Execution
import Foundation
import PlanLoading
import PlanModel
import Testing
import _PITRTestSupport

/// This machine as the compiler sees it, except that `restore_command` calls the built `pitr`
/// executable: in a test process `SystemEnvironment.pitrExecutable` is the test bundle.
struct ApplyEnvironment: CompilerEnvironment {
  private let system = SystemEnvironment()

  func directoryState(_ path: String) -> DirectoryState { system.directoryState(path) }
  func isPortInUse(_ port: Int) -> Bool { system.isPortInUse(port) }
  func resolvingLinks(_ path: String) -> String { system.resolvingLinks(path) }
  func freeBytes(at path: String) -> Int64? { system.freeBytes(at: path) }
  func serverBinaries(in directory: String?, majorVersion: Int?) -> ServerBinaries {
    system.serverBinaries(in: directory, majorVersion: majorVersion)
  }
  func userExists(_ name: String) -> Bool { system.userExists(name) }
  var isRoot: Bool { system.isRoot }
  var pitrExecutable: String { RepositoryPaths.pitrExecutable }
  var memoryBytes: Int64? { system.memoryBytes }
}

/// Compiling plans against real repositories and running them, as `pitr apply` does.
enum ApplyHarness {
  /// Loads and compiles plan text against the repository it names (no catalog cache).
  ///
  /// - Throws: when the plan does not load or does not compile, with its diagnostics.
  static func compile(_ yaml: String, file: String = "plans/apply-test.yaml") throws -> CompiledPlan {
    try PlanCompiling.compile(yaml, file: file, environment: ApplyEnvironment())
  }

  /// The compiler's whole answer for plan text that loads.
  static func compilation(_ yaml: String, file: String = "plans/apply-test.yaml") throws
    -> PlanCompiler.Compilation
  {
    try PlanCompiling.compilation(yaml, file: file, environment: ApplyEnvironment())
  }

  /// The resolver `pitr apply` builds (`PlanPipeline.resolver(for:)`), with the built `pitr`.
  static func resolver(for plan: CompiledPlan) -> StepResolver {
    StepResolver(
      pitrExecutable: RepositoryPaths.pitrExecutable, binDirectory: plan.destination.binDirectory,
      serverUser: SystemEnvironment().isRoot ? plan.destination.osUser : nil)
  }

  /// A runner for the compiled plan, with an observer that records what it hears.
  static func runner(_ plan: CompiledPlan, timeout: Double = 120) -> (RestoreRunner, RecordingObserver) {
    let observer = RecordingObserver()
    return (RestoreRunner(plan: plan, resolver: resolver(for: plan), observer: observer, timeout: timeout), observer)
  }

  /// A plan restoring into `sandbox` (as `postgres`, on its port).
  ///
  /// - Parameters:
  ///   - target: The lines of the `target` section, each indented by two spaces.
  ///   - destination: More lines of the `destination` section, indented by two spaces.
  ///   - tail: More top-level text (`verify:` …).
  static func planText(
    base: String, wal: String, target: String, sandbox: RestoreSandbox, action: String = "promote",
    destination: String = "", tail: String = ""
  ) -> String {
    var text = """
      version: 1
      name: apply-test
      backups:
        base: \(base)
        wal: \(wal)
      target:
      \(target)
      destination:
        data_directory: \(sandbox.dataDirectory)
        port: \(sandbox.port)
        os_user: postgres

      """
    if !destination.isEmpty { text += destination + "\n" }
    text += "action: \(action)\n"
    if !tail.isEmpty { text += tail + "\n" }
    return text
  }

  /// The journal `pitr apply` keeps in the state directory, as JSON.
  static func journal(in sandbox: RestoreSandbox) throws -> Journal {
    let data = try Data(contentsOf: URL(fileURLWithPath: "\(sandbox.stateDirectory)/journal.json"))
    let decoder = JSONDecoder()
    decoder.dateDecodingStrategy = .iso8601
    return try decoder.decode(Journal.self, from: data)
  }
}

/// One restore of a test: a sandbox of its own, the plan compiled into it, and a runner.
/// ``remove()`` stops the server and removes everything, so call it from a `defer`.
final class ApplyRestore {
  let sandbox: RestoreSandbox
  let plan: CompiledPlan
  let runner: RestoreRunner
  let observer: RecordingObserver

  /// Creates the sandbox, lets `yaml` prepare it (copies of backups or WAL) and say the
  /// plan, and compiles it; the sandbox is removed again when any of that fails.
  init(sandbox: RestoreSandbox, timeout: Double = 120, yaml: (RestoreSandbox) throws -> String) throws {
    self.sandbox = sandbox
    do {
      plan = try ApplyHarness.compile(try yaml(sandbox))
    } catch {
      sandbox.remove()
      throw error
    }
    (runner, observer) = ApplyHarness.runner(plan, timeout: timeout)
  }

  func run() throws -> RunReport { try runner.run() }

  /// A new runner of the same plan: a second run, or one resuming the first.
  func anotherRunner() -> (RestoreRunner, RecordingObserver) { ApplyHarness.runner(plan) }

  /// Runs SQL on the restored server.
  func sql(_ sql: String, database: String = "postgres") throws -> String {
    try sandbox.sql(sql, database: database)
  }

  func remove() {
    runner.tearDown()
    sandbox.remove()
  }
}

/// Hears a run, for tests: which steps started, which ended (and whether skipped), the notes.
final class RecordingObserver: RunObserver, @unchecked Sendable {
  private let lock = NSLock()
  private var startedSteps: [String] = []
  private var finishedSteps: [(id: String, skipped: Bool)] = []
  private var noteLines: [String] = []

  var started: [String] { lock.withLock { startedSteps } }
  var finished: [(id: String, skipped: Bool)] { lock.withLock { finishedSteps } }
  var notes: [String] { lock.withLock { noteLines } }

  func stepStarted(_ step: Step) { lock.withLock { startedSteps.append(step.id) } }
  func stepFinished(_ step: Step, skipped: Bool) {
    lock.withLock { finishedSteps.append((step.id, skipped)) }
  }
  func progress(_ step: Step, _ message: String) {}
  func note(_ message: String) { lock.withLock { noteLines.append(message) } }
}
