import Execution
import Foundation
import Testing
import _PITRTestSupport

extension ApplyTests {
  /// `recovery_tuning: auto` on a real server: the tuned settings are in force while the
  /// restore recovers (a paused restore keeps them), and gone once it is promoted.
  @Suite struct RecoveryTuning {
    static let tuned =
      "checkpoint_timeout,maintenance_io_concurrency,max_wal_size,recovery_prefetch,shared_buffers,wal_decode_buffer_size"
    /// The tuned settings the server took from postgresql.auto.conf.
    static let fromAutoConf =
      "SELECT coalesce(string_agg(name, ',' ORDER BY name), '') FROM pg_settings WHERE sourcefile LIKE "
      + "'%postgresql.auto.conf' AND name IN (\(tuned.split(separator: ",").map { "'\($0)'" }.joined(separator: ", ")))"
    @Test func tunedWhileRecoveringAndPausedRevertedAfterPromotion() throws {
      let shared = try InventariosApplyLab.get()
      let paused = try shared.restore(
        "tunedpause", "  name: test_pirt", action: "pause", destination: "  recovery_tuning: auto")
      defer { paused.remove() }

      #expect(try paused.run().outcome == .paused)
      #expect(try paused.sandbox.sql("SELECT pg_is_in_recovery()") == "t")
      #expect(try paused.sql("SHOW maintenance_io_concurrency") == "64")
      #expect(try paused.sql("SHOW recovery_prefetch") == "on")
      #expect(try paused.sql(Self.fromAutoConf) == Self.tuned)

      // promote-if-verified: the check runs during recovery (tuned), then finish reverts.
      let promoted = try shared.restore(
        "tunedpromote", "  name: test_pirt", action: "promote-if-verified",
        destination: "  recovery_tuning: auto",
        tail: """
          verify:
            - name: tuned while recovering
              sql: SHOW maintenance_io_concurrency
              expect: "64"
          """)
      defer { promoted.remove() }

      let report = try promoted.run()

      #expect(report.outcome == .promoted)
      #expect(report.checks.allSatisfy { $0.passed }, "\(report.checks.compactMap(\.problem))")
      #expect(try promoted.sql("SELECT pg_is_in_recovery()") == "f")
      // Back to the backup's values (the lab's cluster sets none of them: the defaults).
      #expect(try promoted.sql(Self.fromAutoConf) == "")
      #expect(
        try promoted.sql(
          "SELECT string_agg(name, ',' ORDER BY name) FROM pg_settings WHERE name IN "
            + "('maintenance_io_concurrency', 'recovery_prefetch', 'wal_decode_buffer_size', 'checkpoint_timeout') "
            + "AND setting <> boot_val") == "")
      CompiledFiles.expectWritten(by: promoted.plan, promoted: true)
    }
  }
}
