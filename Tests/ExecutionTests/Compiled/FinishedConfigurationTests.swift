import Catalog
import Compiler
import Foundation
import PlanLoading
import PlanModel
import Testing
import _PITRTestSupport

/// The `finish` step's `postgresql.auto.conf`, byte for byte: the backup's own text, a
/// record of the restore, the plan's port and settings, archiving as the plan says, and none
/// of the restore's settings. Only promoting plans get the step.
@Suite struct FinishedConfigurationTests {
  final class Repository {
    let fixture: RepositoryFixture

    /// Backup `b1`, its own postgresql.auto.conf setting `timezone` when given, and WAL
    /// to `before_delete`.
    init(timezone: String? = nil) throws {
      fixture = try RepositoryFixture()
      do {
        try fixture.writeBeforeDeleteScenario(autoTimezone: timezone)
      } catch {
        fixture.remove()
        throw error
      }
    }

    deinit { fixture.remove() }

    func compile(
      action: String = "promote", destination: String = "", environment: FixedEnvironment = FixedEnvironment()
    ) throws -> CompiledPlan {
      let yaml = """
        version: 1
        name: finish-test
        backups:
          base: \(fixture.base)
          wal: \(fixture.wal)
        target:
          name: before_delete
        destination:
          data_directory: /srv/pg/restore
          port: 5599
          os_user: postgres
        \(destination)
        action: \(action)

        """
      return try PlanCompiling.compile(yaml, file: "plans/finish.yaml", environment: environment)
    }
  }

  private func finish(_ plan: CompiledPlan) throws -> (Step, FileContent) {
    let step = try #require(plan.graph.steps.first { $0.kind == .finish })
    let file = try #require(step.files.first)
    return (step, file)
  }

  /// The record every finished file carries, for that plan.
  private func record(_ plan: CompiledPlan, action: String = "promote") throws -> String {
    let stop = try #require(plan.prediction.stopMessage)
    return """
      # Restored by pitr from plan 'finish-test' (plans/finish.yaml), action \(action)
      # backup b1 (\(plan.backup.path))
      # target: recovery_target_name = 'before_delete', recovery_target_timeline = 'latest'
      # stop: \(stop) (predicted)
      # pitr's restore settings (restore_command, recovery_target_*, hot_standby, the socket
      # and pg_hba.conf in /srv/pg/restore.pitr) are gone: /srv/pg/restore.pitr is not needed
      # to run this server. The lines below are ordinary settings.

      """
  }

  @Test func archivingOffWritesArchiveModeOffAndACommandThatArchivesNothing() throws {
    let repository = try Repository()
    let plan = try repository.compile()

    let (step, file) = try finish(plan)

    #expect(file.path == "/srv/pg/restore/postgresql.auto.conf")
    #expect(file.permissions == "0600")
    #expect(file.owner == "postgres")
    #expect(
      file.content == (try record(plan)) + """
        port = '5599'  # destination.port
        archive_mode = 'off'  # destination.archiving: off
        archive_command = 'false'  # never the source's archive: set your own before turning archive_mode on
        archive_library = ''  # so that archive_command is the one used

        """)
    #expect(step.id == "finish")
    #expect(plan.graph.dependencies["finish"] == ["await-target"])
    #expect(plan.graph.ordered.last?.id == "finish")
  }

  @Test func keepLeavesTheBackupsArchiveSettings() throws {
    let repository = try Repository()
    let plan = try repository.compile(destination: "  archiving: keep")

    let (_, file) = try finish(plan)

    #expect(file.content == (try record(plan)) + "port = '5599'  # destination.port\n")
    #expect(try finish(plan).0.details.first?.hasSuffix("archiving as the backup has it (archiving: keep)") == true)
  }

  @Test func thePlansSettingsFollowThePortInPlanOrderAndTheRestoreOnesAreGone() throws {
    let repository = try Repository(timezone: "America/Phoenix")
    let plan = try repository.compile(
      destination: """
          settings:
            work_mem: "it's 64MB"
            max_connections: 50
            archive_command: "cp %p /srv/clone-archive/%f"
        """)

    let (_, file) = try finish(plan)

    // The backup's own postgresql.auto.conf comes first, as it was.
    #expect(
      file.content == "timezone = 'America/Phoenix'\n" + (try record(plan)) + """
        port = '5599'  # destination.port
        work_mem = 'it''s 64MB'  # from the plan
        max_connections = '50'  # from the plan
        archive_command = 'cp %p /srv/clone-archive/%f'  # from the plan
        archive_mode = 'off'  # destination.archiving: off
        archive_library = ''  # so that archive_command is the one used

        """)
    // The restore's own settings are in the recovery block only.
    for name in [
      "restore_command", "recovery_target_name", "hot_standby", "hba_file", "unix_socket_directories",
      "logging_collector", "lc_messages", "recovery_target_action",
    ] {
      #expect(plan.configuration.value(of: name) != nil, "\(name)")
      #expect(!file.content.contains("\n\(name) ="), "\(name) in \(file.content)")
    }
  }

  @Test func theDryRunShowsTheRestartAndTheBytes() throws {
    let repository = try Repository()
    let plan = try repository.compile()
    let resolver = StepResolver(
      pitrExecutable: "/usr/local/bin/pitr", binDirectory: "/usr/lib/postgresql/15/bin", serverUser: "postgres")

    let text = PlanText.render(plan, resolver: resolver)

    #expect(
      text.contains(
        "runs: /usr/sbin/runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D /srv/pg/restore "
          + "-l /srv/pg/restore.pitr/server.log -o '-p 5599' -m fast -w -t 300 restart\n"), "\(text)")
    #expect(text.contains("       writes /srv/pg/restore/postgresql.auto.conf (mode 0600, owner postgres):\n"))
    #expect(text.contains("         archive_command = 'false'  # never the source's archive"))
  }

  @Test func promoteIfVerifiedFinishesAfterPromotingAndPauseOrShutdownNever() throws {
    let repository = try Repository()
    let verified = try repository.compile(
      action: "promote-if-verified",
      destination: """
        verify:
          - sql: SELECT 1
            expect: "1"
        """)

    #expect(verified.graph.dependencies["finish"] == ["promote"])
    #expect(verified.graph.ordered.suffix(3).map(\.id) == ["verify", "promote", "finish"])
    #expect(try finish(verified).1.content.hasPrefix(try record(verified, action: "promote-if-verified")))
    for action in ["pause", "shutdown"] {
      let plan = try repository.compile(action: action)
      #expect(!plan.graph.steps.contains { $0.kind == .finish }, "\(action)")
    }
  }

  @Test func promoteWithChecksFinishesAfterThem() throws {
    let repository = try Repository()
    let plan = try repository.compile(
      destination: """
        verify:
          - sql: SELECT 1
            expect: "1"
        """)

    // The checks connect through the private socket the restart takes away.
    #expect(plan.graph.dependencies["finish"] == ["await-target", "verify"])
  }
}
