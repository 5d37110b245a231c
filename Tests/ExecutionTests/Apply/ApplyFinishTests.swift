import Compiler
import Foundation
import Testing
import _PITRTestSupport

@testable import Execution

extension ApplyTests {
  /// A promoted restore is ready for work: `finish` leaves a normal server, with none of the
  /// restore's settings, the backup's own pg_hba.conf and socket directory, the plan's port
  /// and settings, archiving off, and nothing in `DATA.pitr` it needs to start.
  @Suite struct Finishing {
    /// What `SHOW` says of a setting on the restored server.
    static func show(_ name: String, _ restore: ApplyRestore) throws -> String {
      try restore.sql("SHOW \(name)")
    }

    /// The settings a finished server runs with, checked over the backup's own socket.
    static func expectFinished(
      _ restore: ApplyRestore, lab: PostgresLab, sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) throws {
      let sandbox = restore.sandbox
      #expect(
        RestoreSandbox.socketDirectory(of: sandbox.dataDirectory) == lab.socketDirectory, sourceLocation: sourceLocation
      )
      #expect(try show("hba_file", restore) == "\(sandbox.dataDirectory)/pg_hba.conf", sourceLocation: sourceLocation)
      #expect(try show("unix_socket_directories", restore) == lab.socketDirectory, sourceLocation: sourceLocation)
      #expect(try show("restore_command", restore) == "", sourceLocation: sourceLocation)
      #expect(try show("recovery_target_name", restore) == "", sourceLocation: sourceLocation)
      #expect(try show("recovery_target_action", restore) == "pause", sourceLocation: sourceLocation)
      #expect(try show("archive_mode", restore) == "off", sourceLocation: sourceLocation)
      // SHOW says "(disabled)" while archive_mode is off: the file's value, as the server read it.
      #expect(
        try restore.sql(
          "SELECT setting FROM pg_file_settings WHERE name = 'archive_command' AND applied") == "false",
        sourceLocation: sourceLocation)
      #expect(try show("port", restore) == String(sandbox.port), sourceLocation: sourceLocation)
      #expect(try restore.sql("SELECT pg_is_in_recovery()") == "f", sourceLocation: sourceLocation)
      #expect(
        try restore.sql("SELECT count(*) FROM inventarios", database: "test") == "11", sourceLocation: sourceLocation)
    }

    @Test func promoteLeavesANormalServerThatStartsWithoutItsStateDirectory() throws {
      let shared = try InventariosApplyLab.get()
      let restore = try shared.restore(
        "finish", "  name: test_pirt", destination: "  settings:\n    work_mem: 12MB")
      defer { restore.remove() }
      let sandbox = restore.sandbox

      let report = try restore.run()

      #expect(report.outcome == .promoted)
      #expect(report.predictionMatched, "logged \(report.loggedStop ?? "nothing")")
      #expect(restore.observer.finished.last?.id == "finish")
      try Self.expectFinished(restore, lab: shared.lab)
      #expect(try Self.show("work_mem", restore) == "12MB")
      // The file is the dry run's finished bytes.
      CompiledFiles.expectWritten(by: restore.plan, promoted: true)
      #expect(sandbox.serverLog.contains("received fast shutdown request"), "\(sandbox.serverLog)")

      // Run again: every step is done, nothing restarts.
      let (again, observer) = restore.anotherRunner()
      #expect(try again.run().outcome == .promoted)
      #expect(observer.started.isEmpty)

      // A crash in the middle of finish: the server stopped, the restore's file still there.
      sandbox.stopServer()
      let recoveryConfig = try #require(restore.plan.graph.steps.first { $0.kind == .writeRecoveryConfig })
      try WriteFiles.write(try #require(recoveryConfig.files.first { $0.path.hasSuffix("postgresql.auto.conf") }))
      var journal = try #require(Journal.load(from: sandbox.stateDirectory))
      journal.set("finish", .running)
      try journal.save(to: sandbox.stateDirectory)
      let (resumed, resumedObserver) = restore.anotherRunner()
      #expect(try resumed.run().outcome == .promoted)
      #expect(resumedObserver.started == ["finish"])
      try Self.expectFinished(restore, lab: shared.lab)
      CompiledFiles.expectWritten(by: restore.plan, promoted: true)

      // DATA.pitr moved away: the server starts with plain pg_ctl start, as a DBA would.
      sandbox.stopServer()
      try FileManager.default.moveItem(atPath: sandbox.stateDirectory, toPath: sandbox.file("moved.pitr"))
      try sandbox.startServer(log: sandbox.file("after-move.log"))
      #expect(sandbox.isServerRunning)
      try Self.expectFinished(restore, lab: shared.lab)
      #expect(
        try restore.sql("CREATE TABLE after_finish (id int); INSERT INTO after_finish VALUES (1)", database: "test")
          == "")
    }

    @Test func promoteIfVerifiedFinishesAfterTheChecksPass() throws {
      let shared = try InventariosApplyLab.get()
      let restore = try shared.restore(
        "finishv", "  name: test_pirt", action: "promote-if-verified", tail: Actions.verify())
      defer { restore.remove() }

      let report = try restore.run()

      #expect(report.outcome == .promoted)
      #expect(report.checks.allSatisfy { $0.passed }, "\(report.checks.compactMap(\.problem))")
      #expect(restore.observer.finished.suffix(3).map(\.id) == ["verify", "promote", "finish"])
      try Self.expectFinished(restore, lab: shared.lab)
      CompiledFiles.expectWritten(by: restore.plan, promoted: true)
    }
  }
}
