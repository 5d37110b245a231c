import Catalog
import Compiler
import Foundation
import PlanLoading
import PlanModel
import Testing
import _PITRTestSupport

/// The graph of `pitr advance` (`pitr plan --advance-to`): stop the paused server, write
/// postgresql.auto.conf whole with the new target, start it, follow it; nothing extracted.
@Suite struct AdvanceGraphTests {
  private func compiled(
    action: String = "pause", destinationState: DirectoryState = .restoring(planHash: "x", running: true)
  ) throws -> (PlanCompiler.Compilation, SyntheticRepository) {
    let repository = try SyntheticRepository(events: [
      .commit(700), .restorePoint("first"), .commit(701), .restorePoint("second"), .commit(702),
    ])
    let yaml = """
      version: 1
      backups:
        base: \(repository.base)
        wal: \(repository.wal)
      target:
        name: second
      destination:
        data_directory: /srv/pg/restore
        port: 5599
        os_user: postgres
      action: \(action)
      verify:
        - sql: SELECT 1
          expect: "1"

      """
    let plan = try #require(PlanLoader(environment: [:]).load(bytes: Array(yaml.utf8), file: "plans/test.yaml").plan)
    let catalog = Catalog.scan(base: repository.base, wal: [repository.wal], cache: .disabled)
    let index = WALIndex(archive: catalog.archive, cache: .disabled)
    // The destination holds the paused restore and its server listens on the port.
    var environment = FixedEnvironment()
    environment.directories["/srv/pg/restore"] = destinationState
    environment.portsInUse = [5599]
    let compilation = PlanCompiler(
      plan: plan, planText: yaml, catalog: catalog, index: index, environment: environment, advancing: true
    ).compile()
    return (compilation, repository)
  }

  @Test func theAdvanceRestartsWithTheNewConfigurationAndExtractsNothing() throws {
    let (compilation, repository) = try compiled()
    defer { repository.remove() }
    #expect(!compilation.diagnostics.contains { $0.severity == .error }, "\(compilation.diagnostics)")
    let plan = try #require(compilation.compiled)
    let graph = plan.graph
    #expect(graph.problems().isEmpty)
    #expect(
      graph.ordered.map(\.id) == [
        "stop-paused-server", "write-recovery-config", "start-server", "await-target", "verify",
      ])
    let dependencies = graph.dependencies
    #expect(dependencies["write-recovery-config"] == ["stop-paused-server"])
    #expect(dependencies["start-server"] == ["write-recovery-config"])
    // The whole postgresql.auto.conf, with the new target; pitr's pg_hba.conf is not touched.
    let files = graph.ordered.flatMap(\.files)
    #expect(files.map(\.path) == ["/srv/pg/restore/postgresql.auto.conf"])
    let text = try #require(files.first?.content)
    #expect(text.contains("recovery_target_name = 'second'\n"))
    #expect(text.contains("recovery_target_action = 'pause'\n"))
    let resolver = StepResolver(
      pitrExecutable: "/usr/local/bin/pitr", binDirectory: "/usr/lib/postgresql/15/bin", serverUser: "postgres")
    let stop = try #require(graph.ordered.first)
    #expect(
      resolver.commandLine(of: stop) == [
        "/usr/sbin/runuser", "-u", "postgres", "--", "/usr/lib/postgresql/15/bin/pg_ctl", "-D", "/srv/pg/restore",
        "-m", "fast", "-w", "stop",
      ])
    guard case .stopServer(let payload) = stop.action else {
      Issue.record("not a stop-server step: \(stop.kind)")
      return
    }
    #expect(payload.keepLogAs == "/srv/pg/restore.pitr/server.log.previous")
    #expect(plan.prediction.stopMessage?.contains("recovery stopping at restore point \"second\"") == true)
  }

  @Test func theDryRunShowsTheSameSteps() throws {
    let (compilation, repository) = try compiled(action: "promote-if-verified")
    defer { repository.remove() }
    let plan = try #require(compilation.compiled)
    #expect(plan.graph.ordered.map(\.id).suffix(3) == ["verify", "promote", "finish"])
    let text = PlanText.render(
      plan,
      resolver: StepResolver(pitrExecutable: "/usr/local/bin/pitr", binDirectory: "/pg/bin", serverUser: nil))
    #expect(text.contains("stop-paused-server"))
    #expect(text.contains("/pg/bin/pg_ctl -D /srv/pg/restore -m fast -w stop"))
    #expect(!text.contains("extract-base"))
  }

  /// The destination's data directory, port and free space are the paused restore's own.
  @Test func aDestinationInUseIsWhatAnAdvanceExpects() throws {
    let (compilation, repository) = try compiled(
      destinationState: .notEmpty(entries: 20, isDataDirectory: true, running: true))
    defer { repository.remove() }
    #expect(compilation.diagnostics.filter { $0.severity == .error }.map(\.message) == [])
    #expect(compilation.compiled != nil)
  }
}
