import Execution
import Foundation
import Testing
import _PITRTestSupport

extension ApplyTests {
  /// Every kind of target, restored with `action: promote` from the seed 001 lab and counted.
  @Suite struct Targets {
    struct Case: Sendable, CustomTestStringConvertible {
      var name: String
      var target: @Sendable (InventariosScenario) -> String
      /// `count(*)` of inventarios after the restore.
      var rows: String
      /// Whether `Ultimo_Registro`, inserted after the backup, is there.
      var lastInsert: Bool
      var testDescription: String { name }
    }

    static let cases: [Case] = [
      // The first commit later than the insert's is the DELETE's: recovery stops before it.
      Case(name: "time, inclusive", target: { "  time: \"\($0.insertCommitTime)\"" }, rows: "11", lastInsert: true),
      Case(name: "restore point", target: { _ in "  name: test_pirt" }, rows: "11", lastInsert: true),
      Case(name: "xid, inclusive", target: { "  xid: \($0.insertXid)" }, rows: "11", lastInsert: true),
      Case(
        name: "xid, exclusive", target: { "  xid: \($0.deleteXid)\n  inclusive: false" }, rows: "11",
        lastInsert: true),
      Case(name: "lsn", target: { "  lsn: \($0.restorePointLSN)" }, rows: "11", lastInsert: true),
      // The backup alone: its ten rows, without the insert made after it.
      Case(name: "immediate", target: { _ in "  immediate: true" }, rows: "10", lastInsert: false),
      // All the archived WAL, the DELETE included.
      Case(name: "latest", target: { _ in "  latest: true" }, rows: "0", lastInsert: false),
    ]

    @Test(arguments: cases)
    func restoresToTheTargetAndPromotes(_ testCase: Case) throws {
      let shared = try InventariosApplyLab.get()
      let restore = try shared.restore("target", testCase.target(shared.scenario))
      defer { restore.remove() }
      let plan = restore.plan

      let report = try restore.run()

      #expect(report.outcome == .promoted)
      #expect(
        report.predictionMatched,
        "PostgreSQL logged \(report.loggedStop ?? "no stop line"); pitr predicted \(report.predictedStop ?? "none")")
      #expect(report.predictedStop == plan.prediction.stopMessage)
      // Written as the server writes it: its zone's offset, its LSN digits.
      #expect(report.predictedStop == report.loggedStop)
      #expect(try restore.sql("SELECT pg_is_in_recovery()") == "f")
      #expect(try restore.sql("SELECT count(*) FROM inventarios", database: "test") == testCase.rows)
      #expect(
        try restore.sql("SELECT count(*) FROM inventarios WHERE producto = 'Ultimo_Registro'", database: "test")
          == (testCase.lastInsert ? "1" : "0"))
      if let timeline = plan.prediction.newTimeline {
        let current = try restore.sql("SELECT substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8)")
        #expect(UInt32(current, radix: 16) == timeline.rawValue, "the server writes WAL file \(current)…")
      }
      // Every step ran once, after the steps it depends on (prefetch-wal beside extraction).
      let finished = restore.observer.finished.map(\.id)
      #expect(finished.sorted() == plan.graph.ordered.map(\.id).sorted())
      for (step, dependencies) in plan.graph.dependencies {
        for dependency in dependencies {
          #expect(
            (finished.firstIndex(of: dependency) ?? .max) < (finished.firstIndex(of: step) ?? .min),
            "\(step) finished before \(dependency)")
        }
      }
      #expect(restore.observer.finished.allSatisfy { !$0.skipped })
      // What apply wrote is, byte for byte, what the dry run showed.
      CompiledFiles.expectWritten(by: plan, promoted: true)
      #expect(try ApplyHarness.journal(in: restore.sandbox).steps.allSatisfy { $0.status == .done })
    }
  }
}
