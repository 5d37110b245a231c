import Catalog
import Compiler
import Foundation
import PlanModel
import PostgresClient
import PostgresVocabulary
import Processes

#if canImport(Glibc)
  import Glibc
#endif

/// Runs a compiled plan: walks its step graph in order (WAL prefetch alongside extraction),
/// keeps a journal and a lock beside the data directory, starts the server as the OS user,
/// follows it to the target, runs the checks, applies the action and compares what
/// PostgreSQL logged with the prediction.
public final class RestoreRunner {
  public let plan: CompiledPlan
  public let resolver: StepResolver
  private let observer: RunObserver
  /// How long to wait for recovery to reach the target.
  private let timeout: Double
  private let server: RestoredServer
  private var journal: Journal
  private var prefetch: BackgroundTask?
  /// The segment `pitr apply` archived by switching WAL on the source before it compiled
  /// the plan; the `switch-source-wal` step then does not switch again.
  public var sourceWALSwitchedBeforeCompiling: String?

  public init(plan: CompiledPlan, resolver: StepResolver, observer: RunObserver, timeout: Double = 86_400) {
    self.plan = plan
    self.resolver = resolver
    self.observer = observer
    self.timeout = timeout
    server = RestoredServer(destination: plan.destination, resolver: resolver)
    journal = Journal(
      planHash: plan.planHash, catalogFingerprint: plan.catalogFingerprint,
      stepIDs: plan.graph.ordered.map(\.id))
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
    var report = RunReport(
      outcome: finished, loggedStop: nil, predictedStop: plan.prediction.stopMessage, checks: [],
      serverLog: "")
    for step in plan.graph.ordered {
      if journal.status(of: step.id) == .done {
        observer.stepFinished(step, skipped: true)
        continue
      }
      observer.stepStarted(step)
      journal.set(step.id, .running)
      try journal.save(to: state)
      do {
        try perform(step, report: &report)
      } catch {
        journal.set(step.id, .failed, message: "\(error)")
        try? journal.save(to: state)
        throw error
      }
      journal.set(step.id, .done)
      try journal.save(to: state)
      observer.stepFinished(step, skipped: false)
    }
    let log = RecoveryLog.read(server.log())
    report.loggedStop = log.stopMessage
    report.serverLog = server.log()
    return report
  }

  /// For drills and the demo: stops the restored server and removes everything the run made
  /// (the data directory, the tablespace directories, the state directory).
  public func tearDown() {
    waitForPrefetch()
    server.stop()
    for path in [plan.destination.dataDirectory, state] + plan.destination.tablespaces.map(\.location) {
      try? FileManager.default.removeItem(atPath: path)
    }
  }

  // MARK: - Steps

  private func switchSourceWAL(_ step: Step) throws {
    if let segment = sourceWALSwitchedBeforeCompiling {
      observer.progress(step, "done before the plan was checked: \(segment) is archived")
      return
    }
    guard let conninfo = plan.sourceConnection else {
      throw RunnerError("the plan asks to switch WAL on the source but gives no source.conninfo")
    }
    try SourceWALSwitch(conninfo: conninfo, walFolders: plan.destination.walFolders).run {
      observer.progress(step, $0)
    }
  }

  private func perform(_ step: Step, report: inout RunReport) throws {
    switch step.kind {
    case .checkDestination: try checkDestination()
    case .switchSourceWAL: try switchSourceWAL(step)
    case .createDataDirectory: try createDataDirectory()
    case .extractBase, .extractWAL, .extractTablespace: try extract(step)
    case .prefetchWAL: startPrefetch(step)
    case .writeRecoveryConfig: try writeRecoveryConfiguration(step)
    case .writeSignal: try write(step.file)
    case .startServer: try startServer(step)
    case .awaitTarget: report.outcome = try awaitTarget(step)
    case .verify: report.checks = try verify(step)
    case .promote:
      if report.checks.allSatisfy(\.passed) {
        try promote()
        report.outcome = .promoted
      } else {
        report.outcome = .checksFailed
        throw RunnerError(
          "a check failed, so the server was not promoted: it is left paused at the target on "
            + "port \(plan.destination.port), read-only, for you to look at")
      }
    case .stopServer:
      report.outcome = .shutDown
    }
  }

  private func prepareStateDirectory() throws {
    try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
    chmod(state, 0o700)
    try chownToServerUser(state)
  }

  /// Picks up a journal left by an earlier run of this plan, or refuses one of another plan.
  private func resumeOrStart() throws {
    guard let previous = Journal.load(from: state) else { return }
    guard previous.planHash == plan.planHash, previous.catalogFingerprint == plan.catalogFingerprint
    else {
      throw RunnerError(
        "\(state) holds the journal of another restore (another plan, or the backups changed "
          + "since); remove \(plan.destination.dataDirectory) and \(state) to start again")
    }
    journal = previous
    for index in journal.steps.indices where journal.steps[index].status != .done {
      journal.steps[index].status = .pending
    }
    observer.note("resuming the restore recorded in \(Journal.path(in: state))")
    // A step is done only while its output exists.
    if let gone = StepOutputs(destination: plan.destination).firstGone(in: journal) {
      redo(from: gone.step)
      observer.note("\(gone.missing): redoing the restore from \(gone.step)")
    }
    try clearInterruptedExtraction()
    // A shutdown run that reached its target stopped the server on purpose.
    let stoppedAtTarget = plan.action == .shutdown && journal.status(of: "await-target") == .done
    if journal.status(of: "start-server") == .done, !server.isRunning, !stoppedAtTarget {
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
    guard let base = plan.graph.ordered.first(where: { $0.kind == .extractBase }),
      journal.status(of: base.id) != .done
    else { return }
    let extraction: Set<Step.Kind> = [.extractBase, .extractWAL, .extractTablespace]
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

  private func checkDestination() throws {
    let environment = SystemEnvironment()
    // Until this run creates it, anything at the data directory's path came from elsewhere
    // since the plan was checked. (Not `directoryState`: this run's own journal is there.)
    if journal.status(of: "create-data-directory") != .done {
      let data = plan.destination.dataDirectory
      var isDirectory: ObjCBool = false
      if FileManager.default.fileExists(atPath: data, isDirectory: &isDirectory) {
        guard isDirectory.boolValue else {
          throw RunnerError("\(data) is now a file; pitr restores only into an absent or empty directory")
        }
        guard (try? FileManager.default.contentsOfDirectory(atPath: data))?.isEmpty == true else {
          throw RunnerError("\(data) is no longer empty; pitr restores only into an absent or empty directory")
        }
      }
    }
    if !server.isRunning, environment.isPortInUse(plan.destination.port) {
      throw RunnerError("port \(plan.destination.port) is now in use; choose another in the plan")
    }
  }

  private func createDataDirectory() throws {
    let data = plan.destination.dataDirectory
    try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
    chmod(data, 0o700)
    try chownToServerUser(data)
    try FileManager.default.createDirectory(atPath: "\(state)/spool", withIntermediateDirectories: true)
    try chownToServerUser("\(state)/spool")
  }

  private func writeRecoveryConfiguration(_ step: Step) throws {
    guard let file = step.file else { return }
    let existing = (try? String(contentsOfFile: file.path, encoding: .utf8)) ?? ""
    let cleaned = Self.removingPitrBlock(existing)
    try writeFile(file.path, cleaned + (cleaned.isEmpty || cleaned.hasSuffix("\n") ? "" : "\n") + file.content)
    // The private socket's rules first, then the backup's own.
    let original = (try? String(contentsOfFile: "\(plan.destination.dataDirectory)/pg_hba.conf", encoding: .utf8)) ?? ""
    let hba = """
      # Written by pitr for the restore: trust on the private socket in \(state) (mode 0700).
      local all all trust
      # The backup's pg_hba.conf follows.
      \(original)
      """
    try writeFile("\(state)/pg_hba.conf", hba)
  }

  /// The text without a previous pitr block.
  static func removingPitrBlock(_ text: String) -> String {
    guard let start = text.range(of: RecoveryConfiguration.beginMarker),
      let end = text.range(of: RecoveryConfiguration.endMarker, range: start.upperBound..<text.endIndex)
    else { return text }
    var after = text[end.upperBound...]
    if after.hasPrefix("\n") { after = after.dropFirst() }
    return String(text[..<start.lowerBound]) + after
  }

  private func write(_ file: FileContent?) throws {
    guard let file else { return }
    try writeFile(file.path, file.content)
  }

  private func writeFile(_ path: String, _ content: String) throws {
    do {
      try Data(content.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
      chmod(path, 0o600)
      try chownToServerUser(path)
    } catch let error as RunnerError {
      throw error
    } catch {
      throw RunnerError("cannot write \(path): \(error.localizedDescription)")
    }
  }

  private func startServer(_ step: Step) throws {
    waitForPrefetch()
    guard let words = resolver.commandLine(of: step) else { return }
    let result = try ProcessRunner.run(words[0], Array(words.dropFirst()), timeout: 120)
    // A pg_ctl of an interrupted run may have started it meanwhile.
    guard result.succeeded || server.isRunning else {
      throw RunnerError(
        "the server did not start: \(result.standardError.trimmingCharacters(in: .whitespacesAndNewlines))",
        logExcerpt: Array(server.log().split(separator: "\n").suffix(12).map(String.init)))
    }
  }

  // MARK: - Following recovery

  private func awaitTarget(_ step: Step) throws -> RunReport.Outcome {
    let deadline = Date().addingTimeInterval(timeout)
    var lastProgress = ""
    var seenRunning = false
    let startDeadline = Date().addingTimeInterval(30)
    while Date() < deadline {
      let log = RecoveryLog.read(server.log())
      if let failure = log.failure {
        server.stop()
        throw RunnerError(failure, logExcerpt: log.failureLines)
      }
      switch plan.action {
      case .promote:
        if log.promoted, log.readyForConnections, (try? inRecovery()) == false { return .promoted }
      case .pause, .promoteIfVerified:
        if log.paused, (try? isPaused()) == true { return .paused }
      case .shutdown:
        if log.shutDownAtTarget, !server.isRunning { return .shutDown }
      }
      // pg_ctl returns before the postmaster writes its pid file: allow it a moment.
      let running = server.isRunning
      if running { seenRunning = true }
      if !running, seenRunning || Date() > startDeadline, !log.shutDownAtTarget {
        throw RunnerError(
          "the server stopped before reaching the target",
          logExcerpt: Array(server.log().split(separator: "\n").suffix(12).map(String.init)))
      }
      if let replayed = try? replayLocation() {
        let message = ReplayProgress.describe(replayed: replayed, predictedStop: plan.prediction.stopLSN)
        if message != lastProgress, let position = LSN(replayed) {
          observer.progress(
            step, message,
            measure: ProgressMeasure(
              done: position.rawValue, total: plan.prediction.stopLSN?.rawValue, unit: .walPosition))
          lastProgress = message
        }
      }
      usleep(200_000)
    }
    throw RunnerError(
      "recovery did not reach the target within \(timeout >= 1 ? "\(Int(timeout))" : "\(timeout)") "
        + "seconds; the server is left running, recovering (its log is \(server.logPath)): run "
        + "pitr apply again to keep waiting, with a longer --timeout",
      logExcerpt: Array(server.log().split(separator: "\n").suffix(12).map(String.init)))
  }

  private func inRecovery() throws -> Bool {
    try server.connect().query("SELECT pg_is_in_recovery()").first?.first == "t"
  }

  private func isPaused() throws -> Bool {
    let connection = try server.connect()
    let state = try connection.query("SELECT pg_get_wal_replay_pause_state()").first?.first
    return state == "paused"
  }

  private func replayLocation() throws -> String? {
    try server.connect().query("SELECT pg_last_wal_replay_lsn()").first?.first ?? nil
  }

  // MARK: - Checks and action

  private func verify(_ step: Step) throws -> [RunReport.CheckResult] {
    var results: [RunReport.CheckResult] = []
    for check in plan.checks {
      var result = RunReport.CheckResult(label: check.label, passed: false, actual: [], problem: nil)
      do {
        let rows = try server.connect(database: check.database.value).query(check.sql.value)
        result.actual = rows
        switch check.expectation.value {
        case .value(let expected):
          result.passed = rows.count == 1 && rows[0].count == 1 && rows[0][0] == expected
          if !result.passed {
            result.problem = "expected \(expected.map { "'\($0)'" } ?? "NULL"), got \(Self.describe(rows))"
          }
        case .rows(let expected):
          result.passed = rows == expected
          if !result.passed { result.problem = "expected \(Self.describe(expected)), got \(Self.describe(rows))" }
        }
      } catch {
        result.problem = "\(error)"
      }
      observer.note("check \(result.passed ? "passed" : "FAILED"): \(check.label)" + (result.problem.map { ": \($0)" } ?? ""))
      results.append(result)
    }
    return results
  }

  static func describe(_ rows: [[String?]]) -> String {
    rows.isEmpty
      ? "no rows"
      : rows.prefix(5).map { "(" + $0.map { $0.map { "'\($0)'" } ?? "NULL" }.joined(separator: ", ") + ")" }
        .joined(separator: ", ") + (rows.count > 5 ? ", … (\(rows.count) rows)" : "")
  }

  private func promote() throws {
    // A run interrupted after pg_promote() left it promoted already.
    if try inRecovery() == false { return }
    _ = try server.connect().query("SELECT pg_promote(true, 120)")
    guard try inRecovery() == false else {
      throw RunnerError("the server did not promote", logExcerpt: Array(server.log().split(separator: "\n").suffix(8).map(String.init)))
    }
  }

  // MARK: - Extraction and prefetch

  private func extract(_ step: Step) throws {
    try StepExtraction(plan: plan, owner: serverOwner).run(step, observer: observer)
  }

  private func startPrefetch(_ step: Step) {
    let work = WALPrefetch(plan: plan, spool: "\(state)/spool", owner: serverOwner)
    let task = BackgroundTask()
    task.start { try work.run() }
    prefetch = task
  }

  /// Waits for the prefetch to end; its failure is only a note, since `pitr wal-fetch` reads
  /// the archive itself when a segment is not in the spool.
  private func waitForPrefetch() {
    guard let task = prefetch else { return }
    if let error = task.wait() {
      observer.note("WAL prefetch stopped early (recovery reads the archive directly): \(error)")
    }
    prefetch = nil
  }

  // MARK: - Ownership

  /// The uid and gid files get when pitr runs as root.
  var serverOwner: FileOwner? {
    guard getuid() == 0, let name = plan.destination.osUser else { return nil }
    return FileOwner(userName: name)
  }

  private func chownToServerUser(_ path: String) throws {
    guard let owner = serverOwner else { return }
    guard chown(path, owner.uid, owner.gid) == 0 else {
      throw RunnerError("cannot give \(path) to \(plan.destination.osUser ?? "?"): \(String(cString: strerror(errno)))")
    }
  }
}
