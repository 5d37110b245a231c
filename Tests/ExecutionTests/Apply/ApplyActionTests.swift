import Execution
import Foundation
import Testing
import _PITRTestSupport

extension ApplyTests {
  /// Every action at the restore point `test_pirt` (promote is in ``Targets``).
  @Suite struct Actions {
    /// Two checks that hold at `test_pirt`; `failing` makes the second one expect a wrong count.
    static func verify(failing: Bool = false) -> String {
      """
      verify:
        - name: the last insert survived
          database: test
          sql: SELECT count(*) FROM inventarios WHERE producto = 'Ultimo_Registro'
          expect: "1"
        - name: every row is back
          database: test
          sql: SELECT count(*) FROM inventarios
          expect: "\(failing ? "12" : "11")"
      """
    }

    @Test func pauseLeavesTheServerPausedInRecoveryAtTheTarget() throws {
      let restore = try InventariosApplyLab.get().restore("pause", "  name: test_pirt", action: "pause")
      defer { restore.remove() }
      let sandbox = restore.sandbox

      let report = try restore.run()

      #expect(report.outcome == .paused)
      #expect(report.predictionMatched, "logged \(report.loggedStop ?? "nothing")")
      #expect(sandbox.isServerRunning)
      #expect(try sandbox.sql("SELECT pg_is_in_recovery()") == "t")
      #expect(try sandbox.sql("SELECT pg_get_wal_replay_pause_state()") == "paused")
      // A hot standby paused at the target reads the target's data.
      #expect(try sandbox.sql("SELECT count(*) FROM inventarios", database: "test") == "11")
      // Paused in recovery, recovery.signal is still there: every file is the dry run's.
      CompiledFiles.expectWritten(by: restore.plan, promoted: false)

      // The finished plan run again resumes: nothing runs twice, the server stays paused.
      let (again, observer) = restore.anotherRunner()
      let resumed = try again.run()
      #expect(observer.started.isEmpty)
      #expect(observer.finished.allSatisfy { $0.skipped })
      #expect(resumed.outcome == .paused)
      #expect(try sandbox.sql("SELECT pg_get_wal_replay_pause_state()") == "paused")
    }

    @Test func shutdownStopsTheServerAtTheTargetAndKeepsTheDataDirectory() throws {
      let restore = try InventariosApplyLab.get().restore("shutdown", "  name: test_pirt", action: "shutdown")
      defer { restore.remove() }
      let sandbox = restore.sandbox

      let report = try restore.run()

      #expect(report.outcome == .shutDown)
      #expect(report.predictionMatched, "logged \(report.loggedStop ?? "nothing")")
      #expect(restore.observer.finished.last?.id == "stop-server")
      #expect(!sandbox.isServerRunning)
      #expect(sandbox.serverLog.contains("shutdown at recovery target"), "\(sandbox.serverLog)")
      #expect(FileManager.default.fileExists(atPath: "\(sandbox.dataDirectory)/PG_VERSION"))
      #expect(FileManager.default.fileExists(atPath: "\(sandbox.dataDirectory)/recovery.signal"))
      #expect(!FileManager.default.fileExists(atPath: "\(sandbox.dataDirectory)/postmaster.pid"))

      // The finished plan run again resumes: nothing runs twice, the server is not started.
      let (again, againObserver) = restore.anotherRunner()
      let resumed = try again.run()
      #expect(againObserver.started.isEmpty)
      #expect(resumed.outcome == .shutDown)
      #expect(!sandbox.isServerRunning)
    }

    @Test func promoteIfVerifiedPromotesWhenEveryCheckPasses() throws {
      let restore = try InventariosApplyLab.get().restore(
        "verified", "  name: test_pirt", action: "promote-if-verified", tail: Self.verify())
      defer { restore.remove() }

      let report = try restore.run()

      #expect(report.outcome == .promoted)
      #expect(report.predictionMatched, "logged \(report.loggedStop ?? "nothing")")
      #expect(report.checks.map(\.label) == ["the last insert survived", "every row is back"])
      #expect(report.checks.allSatisfy { $0.passed }, "\(report.checks.compactMap(\.problem))")
      #expect(report.checks.map(\.actual) == [[["1"]], [["11"]]])
      #expect(restore.observer.finished.suffix(3).map(\.id) == ["verify", "promote", "finish"])
      #expect(try restore.sql("SELECT pg_is_in_recovery()") == "f")
      #expect(try restore.sql("SELECT count(*) FROM inventarios", database: "test") == "11")
    }

    @Test func promoteIfVerifiedWithAFailingCheckLeavesTheServerPaused() throws {
      let restore = try InventariosApplyLab.get().restore(
        "unverified", "  name: test_pirt", action: "promote-if-verified", tail: Self.verify(failing: true))
      defer { restore.remove() }
      let (sandbox, observer) = (restore.sandbox, restore.observer)

      let error = try #require(throws: RunnerError.self) { try restore.run() }

      #expect(error.description.contains("a check failed, so the server was not promoted"), "\(error)")
      #expect(error.description.contains("left paused at the target on port \(sandbox.port)"), "\(error)")
      #expect(observer.notes.contains("check passed: the last insert survived"), "\(observer.notes)")
      #expect(
        observer.notes.contains("check FAILED: every row is back: expected '12', got ('11')"), "\(observer.notes)")
      #expect(sandbox.isServerRunning)
      #expect(try sandbox.sql("SELECT pg_is_in_recovery()") == "t")
      #expect(try sandbox.sql("SELECT pg_get_wal_replay_pause_state()") == "paused")
      let journal = try ApplyHarness.journal(in: sandbox)
      #expect(journal.status(of: "verify") == .done)
      #expect(journal.status(of: "promote") == .failed)

      // Run again, it must not promote what the checks refused: they run again, and fail again.
      let (again, againObserver) = restore.anotherRunner()
      let second = try #require(throws: RunnerError.self) { try again.run() }
      #expect(second.description.contains("a check failed, so the server was not promoted"), "\(second)")
      #expect(againObserver.started == ["verify", "promote"])
      #expect(try sandbox.sql("SELECT pg_is_in_recovery()") == "t")
      #expect(try sandbox.sql("SELECT pg_get_wal_replay_pause_state()") == "paused")
    }
  }
}
