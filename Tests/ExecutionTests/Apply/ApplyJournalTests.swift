import Execution
import Foundation
import Testing
import _PITRTestSupport

#if canImport(Glibc)
  import Glibc
#endif

extension ApplyTests {
  /// The lock and the journal beside the data directory.
  @Suite struct JournalAndLock {
    @Test func aLockHeldByAnotherLiveProcessRefusesTheRunAndIsTakenOverOnceItEnds() throws {
      let restore = try InventariosApplyLab.get().restore("locked", "  name: test_pirt")
      defer { restore.remove() }
      let sandbox = restore.sandbox
      // Another process's lock: a live process that is not this one.
      let holder = try SleepingProcess()
      defer { holder.end() }
      try FileManager.default.createDirectory(atPath: sandbox.stateDirectory, withIntermediateDirectories: true)
      let lockPath = "\(sandbox.stateDirectory)/lock"
      try Data("\(holder.pid)\n".utf8).write(to: URL(fileURLWithPath: lockPath))

      let held = try #require(throws: RunLock.Held.self) { try restore.run() }

      #expect(held.pid == holder.pid)
      #expect(held.path == lockPath)
      #expect(held.description.contains("another pitr run (process \(holder.pid))"))
      #expect(restore.observer.started.isEmpty)
      #expect(!FileManager.default.fileExists(atPath: sandbox.dataDirectory))
      #expect(try String(contentsOfFile: lockPath, encoding: .utf8) == "\(holder.pid)\n")

      // Once that process is gone its lock is stale, and the next run takes it over.
      holder.end()
      let lock = RunLock(stateDirectory: sandbox.stateDirectory)
      try lock.acquire()
      #expect(try String(contentsOfFile: lockPath, encoding: .utf8) == "\(getpid())\n")
      lock.release()
      #expect(!FileManager.default.fileExists(atPath: lockPath))
    }

    @Test func aSecondRunnerIsRefusedWhileTheFirstRunsAndAFinishedRunResumesWithEveryStepSkipped() throws {
      let restore = try InventariosApplyLab.get().restore("twice", "  name: test_pirt")
      defer { restore.remove() }
      let (sandbox, plan) = (restore.sandbox, restore.plan)
      let outcome = RunInBackground(restore.runner)
      let lockPath = "\(sandbox.stateDirectory)/lock"
      // Wait until the first run holds the lock, then start a second one on the same plan.
      let deadline = Date().addingTimeInterval(30)
      while !FileManager.default.fileExists(atPath: lockPath), !outcome.isFinished, Date() < deadline {
        usleep(2_000)
      }
      let (second, secondObserver) = restore.anotherRunner()
      let secondError = Result { try second.run() }
      let firstReport = try outcome.wait().get()

      #expect(throws: RunLock.Held.self) { try secondError.get() }
      if case .failure(let error as RunLock.Held) = secondError {
        #expect(error.pid == getpid())
      }
      #expect(secondObserver.started.isEmpty)
      #expect(firstReport.outcome == .promoted)
      #expect(try sandbox.sql("SELECT count(*) FROM inventarios", database: "test") == "11")

      // The same plan again: the journal says every step is done, so nothing runs twice.
      let (again, observer) = restore.anotherRunner()
      let report = try again.run()

      #expect(observer.started.isEmpty)
      #expect(observer.finished.map(\.id) == plan.graph.ordered.map(\.id))
      #expect(observer.finished.allSatisfy { $0.skipped })
      #expect(observer.notes.contains("resuming the restore recorded in \(sandbox.stateDirectory)/journal.json"))
      #expect(report.outcome == .promoted)
      #expect(report.predictionMatched, "logged \(report.loggedStop ?? "nothing")")
      #expect(try sandbox.sql("SELECT pg_is_in_recovery()") == "f")
      #expect(try sandbox.sql("SELECT count(*) FROM inventarios", database: "test") == "11")
      #expect(!FileManager.default.fileExists(atPath: lockPath))
    }
  }
}

/// `sleep 60` in a process of its own: a live process id that is not this process's.
final class SleepingProcess {
  let pid: pid_t
  private var ended = false

  init() throws {
    var child: pid_t = 0
    let words: [String] = ["/bin/sleep", "60"]
    var arguments: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) }
    arguments.append(nil)
    defer { for argument in arguments { free(argument) } }
    let status = posix_spawn(&child, "/bin/sleep", nil, nil, arguments, environ)
    guard status == 0 else { throw FixtureError("cannot start /bin/sleep (error \(status))") }
    pid = child
  }

  /// Kills it and waits until it is gone.
  func end() {
    guard !ended else { return }
    ended = true
    kill(pid, SIGKILL)
    var status: Int32 = 0
    waitpid(pid, &status, 0)
  }
}

/// A restore run on a thread of its own, so a test can act while it runs.
final class RunInBackground: @unchecked Sendable {
  private let done = DispatchSemaphore(value: 0)
  private let lock = NSLock()
  private var result: Result<RunReport, Error>?

  init(_ runner: RestoreRunner) {
    let box = UncheckedBox(runner)
    Thread {
      let result = Result { try box.value.run() }
      self.lock.withLock { self.result = result }
      self.done.signal()
    }.start()
  }

  var isFinished: Bool { lock.withLock { result != nil } }

  /// Waits for the run to end.
  func wait() -> Result<RunReport, Error> {
    done.wait()
    done.signal()
    return lock.withLock { result! }
  }
}

/// Carries a value that is not `Sendable` to another thread that alone uses it.
struct UncheckedBox<Value>: @unchecked Sendable {
  let value: Value
  init(_ value: Value) { self.value = value }
}
