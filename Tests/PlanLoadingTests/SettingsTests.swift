import PlanLoading
import PlanModel
import Testing
import _PITRTestSupport

@Suite struct SettingsTests {
  private func plan(settings: String) -> String {
    SamplePlan.base.replacing("port: 5599", with: "port: 5599\n  settings:\n\(settings)")
  }

  @Test func settingsKeepTheirOrderAndTextualValues() {
    let loaded = loadValidPlan(
      plan(settings: "    shared_buffers: 2GB\n    max_connections: 200\n    jit: false\n    app.tag: 'a b'"))
    #expect(
      loaded?.destination.settings.map { "\($0.name.value)=\($0.value.value)" }
        == ["shared_buffers=2GB", "max_connections=200", "jit=false", "app.tag=a b"])
  }

  @Test func aLineBreakInAValueIsRefused() {
    expectDiagnostics(
      plan(settings: "    work_mem: 1️⃣\"64MB\\nrestore_command = 'rm -rf /'\""),
      [
        .error(
          "1️⃣",
          "'destination.settings.work_mem' contains a line break; a setting value must be a "
            + "single line (it would otherwise add a line to postgresql.auto.conf)")
      ])
  }

  @Test func aBlockScalarValueIsRefused() {
    expectDiagnostics(
      plan(settings: "    work_mem: 1️⃣|\n      64MB\n      x"),
      [
        .error(
          "1️⃣",
          "'destination.settings.work_mem' contains a line break; a setting value must be a "
            + "single line (it would otherwise add a line to postgresql.auto.conf)")
      ])
  }

  @Test func aNULInAValueIsRefused() {
    expectDiagnostics(
      plan(settings: "    work_mem: 1️⃣\"64MB\\0\""),
      [
        .error(
          "1️⃣",
          "'destination.settings.work_mem' contains a NUL character; a setting value must be a "
            + "single line (it would otherwise add a line to postgresql.auto.conf)")
      ])
  }

  @Test func settingsPitrControlsAreRefused() {
    expectDiagnostics(
      plan(
        settings:
          "    1️⃣recovery_target_time: x\n    2️⃣port: 5432\n    3️⃣restore_command: cp\n    4️⃣primary_conninfo: host=prod"),
      [
        .error(
          "1️⃣",
          "'recovery_target_time' cannot be set in 'destination.settings': pitr writes the "
            + "recovery target from the 'target' section"),
        .error("2️⃣", "'port' cannot be set in 'destination.settings': use 'destination.port'"),
        .error(
          "3️⃣",
          "'restore_command' cannot be set in 'destination.settings': pitr writes it (pitr "
            + "wal-fetch); put the archive folders in 'backups.wal'"),
        .error(
          "4️⃣",
          "'primary_conninfo' cannot be set in 'destination.settings': it would make the "
            + "restored server stream from a primary instead of the archive"),
      ])
  }

  @Test func settingNamesAreChecked() {
    expectDiagnostics(
      plan(settings: "    1️⃣\"work mem\": 64MB"),
      [.error("1️⃣", "'work mem' is not a PostgreSQL setting name")])
  }

  @Test func tablespacesByOIDOrName() {
    let loaded = loadValidPlan(
      SamplePlan.base.replacing(
        "port: 5599",
        with: "port: 5599\n  tablespaces:\n    \"16390\": /srv/ts/a\n    archive_ts: /srv/ts/b"))
    #expect(loaded?.destination.tablespaces.map(\.tablespace.value) == [.oid(16390), .name("archive_ts")])
    #expect(loaded?.destination.tablespaces.map(\.location.value) == ["/srv/ts/a", "/srv/ts/b"])
  }
}
