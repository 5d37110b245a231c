import Catalog
import Compiler
import Foundation
import PlanModel
import Testing
import _PITRTestSupport

/// For every kind of target, the compiler's prediction against what PostgreSQL 15 logs when
/// the compiled target is really replayed from the seed 001 lab's backup.
@Suite(
  .tags(.integration), .enabled(if: PostgresLab.isAvailable), .serialized,
  PredictionLab.Scope())
struct PredictionAgainstPostgresTests {
  struct Case: Sendable, CustomTestStringConvertible {
    var name: String
    var target: @Sendable (InventariosScenario) -> String
    var testDescription: String { name }
  }

  static let cases: [Case] = [
    Case(name: "time, inclusive") { "  time: \"\($0.insertCommitTime)\"" },
    Case(name: "time, exclusive") { "  time: \"\($0.deleteCommitTime)\"\n  inclusive: false" },
    Case(name: "xid, inclusive") { "  xid: \($0.insertXid)" },
    Case(name: "xid, exclusive") { "  xid: \($0.deleteXid)\n  inclusive: false" },
    Case(name: "restore point") { _ in "  name: test_pirt" },
    Case(name: "lsn, inclusive") { "  lsn: \($0.restorePointLSN)" },
    Case(name: "lsn, exclusive") { "  lsn: \($0.restorePointLSN)\n  inclusive: false" },
    Case(name: "immediate") { _ in "  immediate: true" },
    Case(name: "latest") { _ in "  latest: true" },
  ]

  @Test(arguments: cases)
  func predictionMatchesWhatPostgresLogs(_ testCase: Case) throws {
    let shared = try #require(PredictionLab.current, "the lab is made by the suite's scope")
    let lab = shared.lab
    let scenario = shared.scenario
    let yaml = planText(
      base: lab.backupsDirectory, wal: lab.archiveDirectory,
      target: testCase.target(scenario) + "\n  timeline: current")
    // The lab's own server binaries, whatever major it runs.
    var environment = FixedEnvironment()
    environment.binaries = ServerBinaries(
      directory: PostgresLab.binaries, majorVersion: PostgresLab.majorVersion, problem: nil)
    // The folder the lab's servers (and so the handed-over restore) make their socket in.
    environment.directories[lab.socketDirectory] = .empty
    let compilation = try #require(
      compile(yaml, base: lab.backupsDirectory, wal: [lab.archiveDirectory], environment: environment))
    #expect(!compilation.diagnostics.hasErrors, "\(compilation.diagnostics.map(\.message))")
    let compiled = try #require(compilation.compiled)
    #expect(compiled.backup.path == scenario.backupPath)

    // Replay the compiled target with the lab's own restore_command.
    var recovery = Dictionary(
      compiled.target.settings.map { ($0.name, $0.value) }, uniquingKeysWith: { $1 })
    recovery["recovery_target_action"] = "promote"
    let server = try lab.restore(
      backup: scenario.backupPath, recovery: recovery, archiveIntoSameArchive: false)
    defer { try? server.stop() }
    let log = server.log()
    let stopping = log.split(separator: "\n").first { $0.contains("recovery stopping") }
      .map { String($0[$0.range(of: "recovery stopping")!.lowerBound...]) }
    #expect(stopping == compiled.prediction.stopMessage, "PostgreSQL logged: \(log)")
    if let last = compiled.prediction.lastCompletedTransaction {
      // In the server's zone, as PostgreSQL writes it.
      let time = last.time.formatted(in: compiled.prediction.printingZone)
      #expect(log.contains("last completed transaction was at log time \(time)"), "\(log)")
    } else {
      #expect(!log.contains("last completed transaction"), "\(log)")
    }
    if let timeline = compiled.prediction.newTimeline {
      #expect(log.contains("selected new timeline ID: \(timeline.rawValue)"), "\(log)")
    }
  }
}

/// The seed 001 lab of ``PredictionAgainstPostgresTests``, one for all its cases (restores go
/// into new directories and archive nothing): built before the suite's first case, and
/// removed, its server stopped, after the last.
final class PredictionLab: @unchecked Sendable {
  let lab: PostgresLab
  let scenario: InventariosScenario

  init() throws {
    lab = try PostgresLab(name: "prediction", archive: .gzipDated)
    do {
      scenario = try InventariosScenario.run(in: lab)
    } catch {
      lab.remove()
      throw error
    }
  }

  /// The lab of the suite being run.
  @TaskLocal static var current: PredictionLab?

  struct Scope: SuiteTrait, TestScoping {
    var isRecursive: Bool { false }

    func provideScope(
      for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
      let shared = try PredictionLab()
      defer { shared.lab.remove() }
      try await PredictionLab.$current.withValue(shared) { try await function() }
    }
  }
}
