import Compiler
import Foundation
import PlanModel
import Testing
import _PITRTestSupport

@Suite struct StepGraphTests {
  private func compiled(action: String = "promote-if-verified") throws -> (CompiledPlan, SyntheticRepository) {
    let repository = try SyntheticRepository(events: [.commit(700), .restorePoint("before_delete"), .commit(701)])
    let yaml = """
      version: 1
      name: nightly-drill
      backups:
        base: \(repository.base)
        wal: \(repository.wal)
      target:
        name: before_delete
      destination:
        data_directory: /srv/pg/restore
        port: 5599
        os_user: postgres
        settings:
          work_mem: "it's 64MB"
      action: \(action)
      verify:
        - name: rows are back
          database: test
          sql: SELECT count(*) FROM inventarios
          expect: "11"

      """
    let compiled = try #require(compile(yaml, base: repository.base, wal: [repository.wal])?.compiled)
    return (compiled, repository)
  }

  private let resolver = StepResolver(
    pitrExecutable: "/usr/local/bin/pitr", binDirectory: "/usr/lib/postgresql/15/bin",
    serverUser: "postgres")

  /// `wal_prefetch: off`: no prefetch step; wal-fetch reads the archive as recovery asks.
  @Test func walPrefetchOffLeavesThePrefetchStepOut() throws {
    let repository = try SyntheticRepository(events: [.commit(700), .restorePoint("before_delete"), .commit(701)])
    defer { repository.remove() }
    let yaml = """
      version: 1
      backups:
        base: \(repository.base)
        wal: \(repository.wal)
      target:
        name: before_delete
      destination:
        data_directory: /srv/pg/restore
        port: 5599
        os_user: postgres
        wal_prefetch: off
      action: promote

      """
    let plan = try #require(compile(yaml, base: repository.base, wal: [repository.wal])?.compiled)
    #expect(plan.graph.problems().isEmpty)
    #expect(!plan.graph.steps.contains { $0.kind == .prefetchWAL })
    #expect(plan.graph.dependencies["start-server"] == ["extract-wal", "write-recovery-config", "write-signal"])
  }

  @Test func dryRunTextIsStable() throws {
    let (plan, repository) = try compiled()
    defer { repository.remove() }
    let text = PlanText.render(plan, resolver: resolver)
      .replacingOccurrences(of: repository.fixture.directory.path, with: "/REPOSITORY")
    expectSnapshot(text, named: "promote-if-verified")
    #expect(
      text
        == PlanText.render(plan, resolver: resolver).replacingOccurrences(
          of: repository.fixture.directory.path, with: "/REPOSITORY"))
  }

  @Test func edgesFollowFromArtifacts() throws {
    let (plan, repository) = try compiled()
    defer { repository.remove() }
    let graph = plan.graph
    #expect(graph.problems().isEmpty)
    let dependencies = graph.dependencies
    #expect(dependencies["extract-base"] == ["create-data-directory"])
    // WAL prefetch runs while the base is extracted: it does not wait for it.
    #expect(dependencies["prefetch-wal"] == ["create-data-directory"])
    // Nor does the server: the prefetch goes on beside recovery.
    #expect(dependencies["start-server"] == ["extract-wal", "write-recovery-config", "write-signal"])
    #expect(dependencies["verify"] == ["await-target"])
    #expect(dependencies["promote"] == ["verify"])
    #expect(dependencies["finish"] == ["promote"])
    #expect(
      graph.ordered.map(\.kind.rawValue) == [
        "check-destination", "create-data-directory", "extract-base", "extract-wal", "prefetch-wal",
        "write-recovery-config", "write-signal", "start-server", "await-target", "verify", "promote", "finish",
      ])
  }

  @Test func actionsShapeTheEnd() throws {
    let (shutdown, first) = try compiled(action: "pause")
    defer { first.remove() }
    #expect(shutdown.graph.steps.last?.kind == .verify)
    #expect(shutdown.configuration.value(of: "recovery_target_action") == "pause")
  }

  @Test func switchingTheSourcesWALComesFirst() throws {
    let repository = try SyntheticRepository(events: [.commit(700)])
    defer { repository.remove() }
    func graph(source: String) throws -> StepGraph {
      let marked = markedPlan(repository, target: "  latest: true", source: source)
      return try #require(marked.compiled(repository)?.compiled).graph
    }
    let switching = try graph(source: "source:\n  conninfo: host=db1 dbname=postgres\n  switch_wal: true\n")
    let first = try #require(switching.ordered.first)
    #expect(first.id == "switch-source-wal")
    #expect(first.summary == "switch WAL on the live source and wait until it is archived")
    #expect(
      first.details == [
        "connect to the source (host=db1 dbname=postgres), run SELECT "
          + "pg_walfile_name(pg_switch_wal()), and wait until that segment is in \(repository.wal)",
        "pitr apply PLAN does this before it checks the plan (a dry run does not)",
      ])
    guard case .switchSourceWAL(let payload) = first.action else {
      Issue.record("switch-source-wal carries \(first.action)")
      return
    }
    // A dry run switches nothing: apply records the segment it archived before compiling.
    #expect(payload.archivedSegment == nil)
    #expect(payload.conninfo == "host=db1 dbname=postgres")
    let switched = markedPlan(
      repository, target: "  latest: true", source: "source:\n  conninfo: host=db1\n  switch_wal: true\n")
    let recorded = try #require(
      switched.compiled(repository, switchedSourceSegment: "000000010000000000000009")?.compiled)
    #expect(
      recorded.graph.ordered.first?.details.last
        == "done by pitr apply before it checked the plan: 000000010000000000000009 is archived")
    guard case .switchSourceWAL(let recordedPayload) = recorded.graph.ordered.first?.action else {
      Issue.record("no switch-source-wal step")
      return
    }
    #expect(recordedPayload.archivedSegment == "000000010000000000000009")
    // It runs in pitr (through libpq), not as a program.
    #expect(first.command == nil)
    #expect(switching.dependencies["check-destination"] == ["switch-source-wal"])
    let extraction = try #require(switching.ordered.firstIndex { $0.kind == .extractBase })
    #expect(extraction > 0)
    #expect(switching.problems().isEmpty)

    for source in [
      "", "source:\n  conninfo: host=db1 dbname=postgres\n", "source:\n  conninfo: host=db1\n  switch_wal: false\n",
    ] {
      let plain = try graph(source: source)
      #expect(!plain.steps.contains { $0.kind == .switchSourceWAL })
      #expect(plain.ordered.first?.id == "check-destination")
      #expect(plain.dependencies["check-destination"] == [])
    }
  }

  private let signal = StepAction.writeSignal(.init(files: [FileContent(path: "/d/recovery.signal", content: "")]))

  @Test func cyclesAreReportedAsAPath() {
    let graph = StepGraph(steps: [
      Step(id: "a", action: signal, summary: "a", inputs: [Artifact("y")], outputs: [Artifact("x")]),
      Step(id: "b", action: signal, summary: "b", inputs: [Artifact("x")], outputs: [Artifact("y")]),
    ])
    #expect(graph.problems() == ["the steps depend on each other in a circle: a -> b -> a"])
  }

  @Test func duplicateProducersAndMissingInputsAreReported() {
    let graph = StepGraph(steps: [
      Step(id: "a", action: signal, summary: "a", outputs: [Artifact("x")]),
      Step(id: "c", action: signal, summary: "c", inputs: [Artifact("z")], outputs: [Artifact("x")]),
    ])
    #expect(graph.problems() == ["'x' is made by both a and c", "c needs 'z', which no step makes"])
  }

  @Test func configurationValuesCannotAddLines() throws {
    let (plan, repository) = try compiled()
    defer { repository.remove() }
    let file = try #require(plan.graph.steps.first { $0.kind == .writeRecoveryConfig }?.files.first)
    #expect(file.path == "/srv/pg/restore/postgresql.auto.conf")
    #expect(file.content.contains("work_mem = 'it''s 64MB'  # from the plan"))
    #expect(file.content.contains(RecoveryConfiguration.beginMarker + "\n"))
    #expect(file.content.hasSuffix(RecoveryConfiguration.endMarker + "\n"))
    #expect(RecoveryConfiguration(lines: [.init("x", "a\nb")]).text == nil)
  }

  @Test func commandsAreResolvedOnceForBothDryRunAndExecution() throws {
    let (plan, repository) = try compiled()
    defer { repository.remove() }
    let start = try #require(plan.graph.steps.first { $0.kind == .startServer })
    #expect(
      resolver.commandLine(of: start) == [
        "/usr/sbin/runuser", "-u", "postgres", "--", "/usr/lib/postgresql/15/bin/pg_ctl", "-D",
        "/srv/pg/restore", "-l", "/srv/pg/restore.pitr/server.log", "-o", "-p 5599", "-W", "start",
      ])
    #expect(
      StepResolver.shellText(resolver.commandLine(of: start) ?? [])
        .hasSuffix("-o '-p 5599' -W start"))
  }

  @Test func jsonRoundTrips() throws {
    let (plan, repository) = try compiled()
    defer { repository.remove() }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let data = try encoder.encode(plan)
    #expect(try JSONDecoder().decode(CompiledPlan.self, from: data) == plan)
  }

  @Test func dotIsValidGraphviz() throws {
    let (plan, repository) = try compiled()
    defer { repository.remove() }
    let dot = PlanDOT.render(plan)
    #expect(dot.contains("\"verify\" -> \"promote\";"))
    let directory = try TemporaryDirectory("dot")
    defer { directory.remove() }
    let path = try directory.write(dot, to: "plan.dot")
    let dotProgram = ["/usr/bin/dot", "/usr/local/bin/dot"].first { FileManager.default.isExecutableFile(atPath: $0) }
    let program = try #require(dotProgram, "Graphviz's dot is not installed (.ci/run installs graphviz)")
    let result = try ProcessRunner.run(program, ["-Tsvg", path])
    #expect(result.succeeded, "\(result.standardError)")
    #expect(result.standardOutput.contains("<svg"))
  }
}
