import Execution
import Foundation
import Testing
import _PITRTestSupport

extension ApplyTests {
  /// Recovery failing after a good compilation, said in plain words with the log lines.
  @Suite struct RecoveryFailures {
    @Test func aSegmentDeletedAfterCompilingEndsRecoveryWithTheReasonAndTheFatalLine() throws {
      let shared = try InventariosApplyLab.get()
      let scenario = shared.scenario
      // Just before the DELETE's commit, which is in the last archived segment, over a copy
      // of the archive.
      let restore = try ApplyRestore(sandbox: shared.sandbox("walgone")) { sandbox in
        try ApplyBackupCopy.copyArchive(shared.wal, to: sandbox.file("wal"))
        return ApplyHarness.planText(
          base: shared.base, wal: sandbox.file("wal"),
          target: "  time: \"\(scenario.deleteCommitTime)\"\n  inclusive: false", sandbox: sandbox)
      }
      defer { restore.remove() }
      let sandbox = restore.sandbox
      #expect(restore.plan.prediction.lastSegment?.description == scenario.deleteWALFile)
      let wal = sandbox.file("wal")
      let archived = try #require(
        FileManager.default.enumerator(atPath: wal)?.allObjects.compactMap { $0 as? String }
          .first { $0.hasSuffix("\(scenario.deleteWALFile).gz") })
      try FileManager.default.removeItem(atPath: "\(wal)/\(archived)")

      let error = try #require(throws: RunnerError.self) { try restore.run() }

      // The plan saw it archived (the restore_command's --needs), so wal-fetch stops recovery
      // rather than answer "not archived".
      #expect(
        error.description
          == "recovery failed: a WAL segment that was in the archive when the plan was compiled is "
          + "gone, so pitr wal-fetch stopped recovery rather than let it end there: its error line is "
          + "just above in the log; put the segment back (from another copy of the archive) and run "
          + "pitr apply again (it resumes)", "\(error)")
      #expect(
        error.logExcerpt.contains {
          $0.contains(
            "pitr wal-fetch: error: \(scenario.deleteWALFile): not in \(wal), but it was archived when the plan was compiled"
          )
        }, "\(error.logExcerpt)")
      #expect(!sandbox.isServerRunning)
      let journal = try ApplyHarness.journal(in: sandbox)
      #expect(journal.status(of: "start-server") == .done)
      #expect(journal.status(of: "await-target") == .failed)
    }

    /// With `target: latest` a segment gone from the archive would end recovery there, and
    /// the server would promote without the rest of the WAL; it stops instead, and applying
    /// again once the segment is back replays to the end.
    @Test func aSegmentDeletedAfterCompilingStopsALatestRecoveryAndApplyingAgainResumes() throws {
      let shared = try InventariosApplyLab.get()
      let scenario = shared.scenario
      let restore = try ApplyRestore(sandbox: shared.sandbox("latestgone")) { sandbox in
        try ApplyBackupCopy.copyArchive(shared.wal, to: sandbox.file("wal"))
        return ApplyHarness.planText(
          base: shared.base, wal: sandbox.file("wal"), target: "  latest: true", sandbox: sandbox,
          destination: "  wal_prefetch: off")
      }
      defer { restore.remove() }
      let wal = restore.sandbox.file("wal")
      let archived = try #require(
        FileManager.default.enumerator(atPath: wal)?.allObjects.compactMap { $0 as? String }
          .first { $0.hasSuffix("\(scenario.deleteWALFile).gz") })
      let aside = restore.sandbox.file("aside.gz")
      try FileManager.default.moveItem(atPath: "\(wal)/\(archived)", toPath: aside)

      let error = try #require(throws: RunnerError.self) { try restore.run() }

      #expect(error.description.hasPrefix("recovery failed: a WAL segment that was in the archive"), "\(error)")
      #expect(!restore.sandbox.isServerRunning)
      try FileManager.default.moveItem(atPath: aside, toPath: "\(wal)/\(archived)")
      let (again, _) = restore.anotherRunner()
      let report = try again.run()
      #expect(report.outcome == .promoted)
      #expect(try restore.sql("SELECT count(*) FROM inventarios", database: InventariosScenario.database) == "0")
    }

    /// The archive unmounted before recovery asks for it: wal-fetch cannot tell "not archived"
    /// and stops recovery (exit 200) instead of letting it end, and promote, early; pitr says
    /// so, and applying again once the archive is back resumes and reaches the target.
    @Test func anArchiveGoneDuringRecoveryStopsItAndApplyingAgainResumes() throws {
      let shared = try InventariosApplyLab.get()
      let restore = try ApplyRestore(sandbox: shared.sandbox("archivegone")) { sandbox in
        try ApplyBackupCopy.copyArchive(shared.wal, to: sandbox.file("wal"))
        return ApplyHarness.planText(
          base: shared.base, wal: sandbox.file("wal"), target: "  name: test_pirt", sandbox: sandbox,
          destination: "  wal_prefetch: off")
      }
      defer { restore.remove() }
      let wal = restore.sandbox.file("wal")
      let unmounted = restore.sandbox.file("wal-unmounted")
      try FileManager.default.moveItem(atPath: wal, toPath: unmounted)

      let error = try #require(throws: RunnerError.self) { try restore.run() }

      #expect(
        error.description
          == "recovery failed: pitr wal-fetch could not read the archive (a folder gone or unreadable, a "
          + "host or S3 endpoint that cannot be reached), so it stopped recovery rather than let it end "
          + "early: its error line is just above in the log; make the archive readable and run pitr "
          + "apply again (it resumes)")
      #expect(
        error.logExcerpt.contains { $0.contains("cannot read \(wal): No such file or directory") },
        "\(error.logExcerpt)")
      #expect(!restore.sandbox.isServerRunning)

      try FileManager.default.moveItem(atPath: unmounted, toPath: wal)
      let (again, _) = restore.anotherRunner()
      let report = try again.run()
      #expect(report.outcome == .promoted)
      #expect(report.loggedStop == restore.plan.prediction.stopMessage)
    }

    @Test func waitingLongerThanTheTimeoutLeavesTheServerRecoveringAndResumes() throws {
      let shared = try InventariosApplyLab.get()
      let restore = try ApplyRestore(sandbox: shared.sandbox("timeout"), timeout: 0.000_001) { sandbox in
        ApplyHarness.planText(
          base: shared.base, wal: shared.wal, target: "  name: test_pirt", sandbox: sandbox, action: "pause")
      }
      defer { restore.remove() }

      let error = try #require(throws: RunnerError.self) { try restore.run() }

      #expect(
        error.description
          == "recovery did not reach the target within 1e-06 seconds; the server is left running, "
          + "recovering (its log is \(restore.sandbox.stateDirectory)/server.log): run pitr apply "
          + "again to keep waiting, with a longer --timeout")
      // pg_ctl returned before the postmaster wrote its pid file; the server is left running.
      let deadline = Date().addingTimeInterval(30)
      while !restore.sandbox.isServerRunning, Date() < deadline { usleep(20_000) }
      #expect(restore.sandbox.isServerRunning)
      let resolver = ApplyHarness.resolver(for: restore.plan)
      let during = RestoreStatus.read(
        destination: restore.plan.destination, planHash: restore.plan.planHash, resolver: resolver)
      #expect(during.journalMatchesPlan)
      #expect(during.journal?.status(of: "await-target") == .failed)
      #expect(during.server.running)
      // Applying again waits on: the server is not started twice, and it pauses at the target.
      let (again, _) = restore.anotherRunner()
      let report = try again.run()
      #expect(report.outcome == .paused)
      #expect(try restore.sql("SELECT pg_is_in_recovery()") == "t")
      let after = RestoreStatus.read(
        destination: restore.plan.destination, planHash: restore.plan.planHash, resolver: resolver)
      #expect(after.server.inRecovery == true)
      #expect(after.server.pauseState == "paused")
      #expect(after.loggedStop == restore.plan.prediction.stopMessage)
      #expect(after.journal?.steps.allSatisfy { $0.status == .done } == true)
    }
  }
}
