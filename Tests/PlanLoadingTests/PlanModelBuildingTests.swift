import PlanLoading
import PlanModel
import Testing
import _PITRTestSupport

@Suite struct PlanModelBuildingTests {
  @Test func everyKeyReachesTheModel() throws {
    let plan = try #require(
      loadValidPlan(
        """
        version: 1
        name: inventarios-before-delete
        source:
          system_identifier: "7587588177156489861"
          pg_version: 17
          conninfo: "host=10.0.0.5 port=5598 user=postgres dbname=postgres"
          switch_wal: true
        backups:
          base: /backups/base
          wal: [/backups/wal, /backups/wal-2]
          select: 2025/07/01
        target:
          xid: 740
          inclusive: false
          timeline: current
        destination:
          data_directory: /srv/pg/db_pruebas
          port: 5599
          bin_dir: /usr/lib/postgresql/17/bin
          os_user: postgres
          tablespaces:
            "16390": /srv/pg/ts_archive
          settings:
            shared_buffers: 2GB
          archiving: keep
          recovery_tuning: auto
        action: promote-if-verified
        verify:
          - name: rows back
            database: test
            sql: SELECT count(*) FROM inventarios
            expect: "11"
        """))
    #expect(plan.name.value == "inventarios-before-delete")
    #expect(plan.source?.systemIdentifier?.value == 7_587_588_177_156_489_861)
    #expect(plan.source?.pgVersion?.value == 17)
    #expect(plan.source?.conninfo?.value == "host=10.0.0.5 port=5598 user=postgres dbname=postgres")
    #expect(plan.source?.switchWAL.value == true)
    #expect(plan.backups.wal.map(\.value) == ["/backups/wal", "/backups/wal-2"])
    #expect(plan.backups.select.value == .id("2025/07/01"))
    #expect(plan.target.kind.value == .xid(740))
    #expect(plan.target.inclusive.value == false)
    #expect(plan.target.timeline.value == .current)
    #expect(plan.destination.binDir?.value == "/usr/lib/postgresql/17/bin")
    #expect(plan.destination.osUser?.value == "postgres")
    #expect(plan.destination.archiving.value == .keep)
    #expect(plan.destination.recoveryTuning.value == .auto)
    #expect(plan.action.value == .promoteIfVerified)
    #expect(plan.action.value.postgresAction == "pause")
    #expect(plan.verify.first?.expectation.value == .value("11"))
    // Locations point at the values as written.
    #expect(plan.target.kind.location == SourceLocation(file: testFile, line: 13, column: 3))
    #expect(plan.destination.port.location == SourceLocation(file: testFile, line: 18, column: 9))
  }

  @Test func defaultsAreFilledInAndLocatedAtTheirSection() throws {
    let plan = try #require(loadValidPlan(SamplePlan.base, file: "plans/nightly drill.yaml"))
    #expect(plan.name.value == "nightly-drill")
    #expect(plan.name.location == SourceLocation(file: "plans/nightly drill.yaml", line: 1, column: 1))
    #expect(plan.backups.select.value == .auto)
    #expect(plan.backups.select.location.line == 2)
    #expect(plan.target.inclusive.value == true)
    #expect(plan.target.timeline.value == .latest)
    #expect(plan.target.timeline.location.line == 5)
    #expect(plan.destination.archiving.value == .off)
    #expect(plan.destination.recoveryTuning.value == .off)
    #expect(plan.destination.binDir == nil)
    #expect(plan.destination.osUser == nil)
    #expect(plan.source == nil)
    #expect(plan.verify.isEmpty)
  }

  @Test func connectionStringsAreCheckedAndHoldNoPassword() {
    expectDiagnostics(
      SamplePlan.base + "source:\n  conninfo: 1️⃣\"host=db password=secret\"\n",
      [
        .error(
          "1️⃣",
          "a connection string in a plan must not hold a password; libpq reads it from "
            + "PGPASSWORD or a password file (PGPASSFILE, ~/.pgpass)")
      ])
    expectDiagnostics(
      SamplePlan.base + "source:\n  conninfo: 1️⃣\"postgresql://app:secret@db:5432/x\"\n",
      [
        .error(
          "1️⃣",
          "a connection string in a plan must not hold a password; libpq reads it from "
            + "PGPASSWORD or a password file (PGPASSFILE, ~/.pgpass)")
      ])
    expectDiagnostics(
      SamplePlan.base + "source:\n  conninfo: 1️⃣\"host=db prot=5432\"\n",
      [.error("1️⃣", "unknown connection keyword 'prot'", notes: ["did you mean 'port'?"])])
    expectDiagnostics(
      SamplePlan.base + "source:\n  conninfo: 1️⃣\"host='db\"\n",
      [.error("1️⃣", "unterminated quoted value for 'host' in the connection string")])
  }

  @Test func switchWALNeedsAConnection() {
    expectDiagnostics(
      SamplePlan.base + "source:\n  1️⃣switch_wal: true\n",
      [
        .error(
          "1️⃣", "'switch_wal: true' needs 'conninfo': pitr connects to the live source to run pg_switch_wal()")
      ])
  }
}
