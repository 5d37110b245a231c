import PlanLoading
import Testing
import _PITRTestSupport

@Suite struct TypeAndEnumTests {
  @Test func integerKeyRejectsText() {
    expectDiagnostics(
      SamplePlan.base.replacing("port: 5599", with: "port: 1️⃣fifty"),
      [.error("1️⃣", "'destination.port' must be an integer from 1 to 65535, not the text \"fifty\"")])
  }

  @Test func integerKeyRejectsOutOfRange() {
    expectDiagnostics(
      SamplePlan.base.replacing("port: 5599", with: "port: 1️⃣70000"),
      [.error("1️⃣", "'destination.port' must be an integer from 1 to 65535, not 70000")])
  }

  @Test func quotedNumberIsTextForAnIntegerKey() {
    expectDiagnostics(
      SamplePlan.base.replacing("port: 5599", with: "port: 1️⃣\"5599\""),
      [.error("1️⃣", "'destination.port' must be an integer from 1 to 65535, not the text \"5599\"")])
  }

  @Test func enumListsTheValidValuesAndSuggests() {
    expectDiagnostics(
      SamplePlan.base.replacing("action: promote", with: "action: 1️⃣promte"),
      [
        .error(
          "1️⃣", "'action' must be one of promote, pause, shutdown, promote-if-verified, not 'promte'",
          notes: ["did you mean 'promote'?"])
      ])
  }

  @Test func walPrefetchIsOnOrOff() {
    expectDiagnostics(
      SamplePlan.base.replacing("port: 5599", with: "port: 5599\n  wal_prefetch: 1️⃣no"),
      [.error("1️⃣", "'destination.wal_prefetch' must be one of on, off, not 'no'")])
    #expect(loadValidPlan(SamplePlan.base)?.destination.walPrefetch?.value == .on)
    #expect(
      loadValidPlan(SamplePlan.base.replacing("port: 5599", with: "port: 5599\n  wal_prefetch: off"))?
        .destination.walPrefetch?.value == .off)
  }

  @Test func booleanRejectsYAML11Words() {
    expectDiagnostics(
      SamplePlan.base.replacing(
        "  time: \"2025-12-24 17:53:00-07\"",
        with: "  time: \"2025-12-24 17:53:00-07\"\n  inclusive: 1️⃣off"),
      [
        .error(
          "1️⃣", "'target.inclusive' must be true or false, not the text \"off\"",
          notes: ["plans are read as YAML 1.2, where 'off' is text; write true or false"])
      ])
  }

  @Test func textKeyRejectsANumberAndSaysToQuote() {
    expectDiagnostics(
      SamplePlan.base.replacing("version: 1", with: "version: 1\nname: 1️⃣2025"),
      [
        .error(
          "1️⃣", "'name' must be a name of letters, digits, '.', '_' and '-', not the integer 2025",
          notes: ["to write it as text, put it in quotes: \"2025\""])
      ])
  }

  @Test func sectionMustBeAMapping() {
    expectDiagnostics(
      SamplePlan.base.replacing(
        "destination:\n  data_directory: /srv/pg/restore\n  port: 5599",
        with: "destination: 1️⃣/srv/pg/restore"),
      [
        .error(
          "1️⃣",
          "'destination' must be a mapping of keys (data_directory, port, bin_dir, os_user, …), "
            + "not the text \"/srv/pg/restore\"")
      ])
  }

  @Test func nullValueIsReported() {
    expectDiagnostics(
      SamplePlan.base.replacing("port: 5599", with: "port: 5599\n  bin_dir:1️⃣"),
      [.error("1️⃣", "'destination.bin_dir' has no value; give an absolute path or remove the key")])
  }

  @Test func versionMustBeOne() {
    expectDiagnostics(
      SamplePlan.base.replacing("version: 1", with: "version: 1️⃣2"),
      [.error("1️⃣", "plan format version 2 is not supported; this pitr reads version 1")])
  }

  @Test func missingRequiredKeysAreNamedAtTheirSection() {
    expectDiagnostics(
      """
      version: 1
      backups: {base: /b, wal: /w}
      target: {latest: true}
      1️⃣destination:
        data_directory: /srv/r
      action: promote
      """,
      [
        .error(
          "1️⃣",
          "missing required key 'port' in 'destination' (the port the restored server listens on)")
      ])
  }

  @Test func systemIdentifierAcceptsQuotedAndPlainDigits() {
    let quoted = loadValidPlan(
      SamplePlan.base + "source:\n  system_identifier: \"7587588177156489861\"\n")
    #expect(quoted?.source?.systemIdentifier?.value == 7_587_588_177_156_489_861)
    let large = loadValidPlan(
      SamplePlan.base + "source:\n  system_identifier: \"18446744073709551615\"\n")
    #expect(large?.source?.systemIdentifier?.value == UInt64.max)
    expectDiagnostics(
      SamplePlan.base + "source:\n  system_identifier: 1️⃣abc\n",
      [
        .error(
          "1️⃣",
          "'source.system_identifier' must be an unsigned 64-bit integer (quote it: "
            + "\"7587588177156489861\"), not the text \"abc\"")
      ])
  }

  @Test func pgVersionRange() {
    expectDiagnostics(
      SamplePlan.base + "source:\n  pg_version: 1️⃣9\n",
      [.error("1️⃣", "'source.pg_version' must be an integer from 13 to 19, not 9")])
  }
}
