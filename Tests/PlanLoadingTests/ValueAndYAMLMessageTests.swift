import PlanLoading
import PlanModel
import Testing
import _PITRTestSupport

/// Loader messages about values, settings and YAML structure: each one's exact text and
/// where it points.
@Suite struct ValueAndYAMLMessageTests {
  private func plan(time: String) -> String {
    SamplePlan.base.replacing("time: \"2025-12-24 17:53:00-07\"", with: "time: 1️⃣\"\(time)\"")
  }

  private func plan(destination extra: String) -> String {
    SamplePlan.base.replacing("port: 5599", with: "port: 5599\n\(extra)")
  }

  // MARK: - target.time zones (TargetTimeParser)

  @Test(arguments: ["+16", "-15:60"])
  func aUTCOffsetOutOfRange(offset: String) {
    expectDiagnostics(
      plan(time: "2025-12-24 17:53:00\(offset)"),
      [.error("1️⃣", "UTC offset '\(offset)' is out of range (-15 to +15)")])
  }

  @Test(arguments: ["America/Phoenix", "+5"])
  func anUnreadableZone(zone: String) {
    // A zone name must follow a space; an offset has two-digit hours.
    expectDiagnostics(
      plan(time: "2025-12-24 17:53:00\(zone)"),
      [
        .error(
          "1️⃣",
          "cannot read the zone '\(zone)'; after the time write a UTC offset such as -07 or, "
            + "after a space, a zone name such as America/Phoenix")
      ])
  }

  // MARK: - Connection strings

  @Test func aKeywordWithoutAValue() {
    expectDiagnostics(
      SamplePlan.base + "source:\n  conninfo: 1️⃣\"host=db port\"\n",
      [.error("1️⃣", "missing '=' after 'port' in the connection string (write keyword=value)")])
  }

  // MARK: - Text formats (StringFormat)

  @Test func anEmptyName() {
    expectDiagnostics(
      SamplePlan.base.replacing("version: 1", with: "version: 1\nname: 1️⃣''"),
      [.error("1️⃣", "'name' is empty; give a name of letters, digits, '.', '_' and '-'")])
  }

  @Test func aPathOnTwoLines() {
    expectDiagnostics(
      SamplePlan.base.replacing(
        "data_directory: /srv/pg/restore", with: "data_directory: 1️⃣\"/srv/pg/re\\nstore\""),
      [.error("1️⃣", "'destination.data_directory' must be a single line")])
  }

  @Test func aNameOfOtherCharacters() {
    expectDiagnostics(
      SamplePlan.base.replacing("version: 1", with: "version: 1\nname: 1️⃣\"restore #2\""),
      [.error("1️⃣", "'restore #2' is not a name of letters, digits, '.', '_' and '-'")])
  }

  @Test func anOSUserThatIsNotAUserName() {
    expectDiagnostics(
      plan(destination: "  os_user: 1️⃣Postgres"),
      [.error("1️⃣", "'Postgres' is not an operating-system user name")])
  }

  // MARK: - Sections and dictionaries (SectionChecker)

  @Test func mergeKeysAreRefused() {
    expectDiagnostics(
      plan(destination: "  1️⃣<<: {bin_dir: /usr/lib/postgresql/15/bin}"),
      [
        .error(
          "1️⃣", "YAML merge keys ('<<') are not supported in plans; write the keys out", notes: [])
      ])
    // In a mapping of settings or tablespaces too, not read as a setting or tablespace name.
    for dictionary in ["settings", "tablespaces"] {
      expectDiagnostics(
        plan(destination: "  \(dictionary):\n    1️⃣<<: {a: b}"),
        [
          .error(
            "1️⃣", "YAML merge keys ('<<') are not supported in plans; write the keys out", notes: [])
        ])
    }
  }

  @Test func aDictionaryMustBeAMapping() {
    expectDiagnostics(
      plan(destination: "  settings: 1️⃣[work_mem]"),
      [
        .error(
          "1️⃣",
          "'destination.settings' must be a mapping of a PostgreSQL setting name to a single "
            + "line of text, not a list")
      ])
    expectDiagnostics(
      plan(destination: "  tablespaces: 1️⃣/srv/ts"),
      [
        .error(
          "1️⃣",
          "'destination.tablespaces' must be a mapping of a tablespace OID or name to an "
            + "absolute path, not the text \"/srv/ts\"")
      ])
  }

  // MARK: - Settings pitr controls (ControlledSettings)

  @Test func moreSettingsPitrControlsAreRefused() {
    expectDiagnostics(
      plan(
        destination:
          "  settings:\n    1️⃣data_directory: /srv/other\n    2️⃣archive_mode: \"on\"\n    3️⃣hot_standby: \"off\""),
      [
        .error(
          "1️⃣",
          "'data_directory' cannot be set in 'destination.settings': use 'destination.data_directory'"),
        .error(
          "2️⃣",
          "'archive_mode' cannot be set in 'destination.settings': use 'destination.archiving' "
            + "(off keeps the clone out of the source's archive)"),
        .error(
          "3️⃣",
          "'hot_standby' cannot be set in 'destination.settings': pitr needs hot standby on to "
            + "follow and check the recovery"),
      ])
  }

  // MARK: - YAML (YAMLComposer)

  @Test func anAliasWithoutAnAnchor() {
    expectDiagnostics(
      SamplePlan.base.replacing("port: 5599", with: "port: 1️⃣*port"),
      [.error("1️⃣", "unknown alias '*port'; define '&port' before using it")])
  }

  @Test func aKeyMustBePlainText() {
    expectDiagnostics(
      SamplePlan.base + "? 1️⃣[a]\n: 1\n",
      [.error("1️⃣", "a key must be plain text, not a list")])
    expectDiagnostics(
      SamplePlan.base + "? 1️⃣{a: 1}\n: 2\n",
      [.error("1️⃣", "a key must be plain text, not a mapping")])
  }
}
