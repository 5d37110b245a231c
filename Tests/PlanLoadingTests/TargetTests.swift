import PlanLoading
import PlanModel
import PostgresVocabulary
import Testing

/// Plan text with the given `target:` section.
private func plan(target: String) -> String {
  """
  version: 1
  backups: {base: /b, wal: /w}
  target:
  \(target)
  destination: {data_directory: /srv/r, port: 5599}
  action: promote

  """
}

@Suite struct TargetTests {
  @Test func noTargetKind() {
    expectDiagnostics(
      """
      version: 1
      backups: {base: /b, wal: /w}
      1️⃣target:
        timeline: latest
      destination: {data_directory: /srv/r, port: 5599}
      action: pause
      """,
      [
        .error(
          "1️⃣", "'target' needs a target: one of 'time', 'name', 'lsn', 'xid', 'immediate', 'latest'")
      ])
  }

  @Test func twoTargetKinds() {
    expectDiagnostics(
      plan(target: "  2️⃣time: \"2025-12-24 17:53:00-07\"\n  1️⃣lsn: 0/3007528"),
      [
        .error(
          "1️⃣", "'target' has more than one target ('time' and 'lsn'); keep exactly one",
          notes: ["'time' is here"])
      ])
  }

  @Test(arguments: [
    ("lsn: 0/3007528", RecoveryTarget.Kind.lsn(LSN(high: 0, low: 0x300_7528))),
    ("lsn: FFFFFFFF/ffffffff", .lsn(LSN(rawValue: UInt64.max))),
    ("xid: 740", .xid(740)),
    ("xid: 4294967295", .xid(UInt32.max)),
    ("name: test_pirt", .name("test_pirt")),
    ("immediate: true", .immediate),
    ("latest: true", .latest),
  ])
  func validTargetKinds(line: String, kind: RecoveryTarget.Kind) {
    let loaded = loadValidPlan(plan(target: "  " + line))
    #expect(loaded?.target.kind.value == kind)
  }

  @Test(arguments: ["0/XYZ", "3007528", "0/123456789", "/1", "0x0/1", "0 /1"])
  func badLSN(text: String) {
    expectDiagnostics(
      plan(target: "  lsn: 1️⃣\"\(text)\""),
      [
        .error(
          "1️⃣",
          "'\(text)' is not an LSN; write two hex numbers of 1 to 8 digits separated by '/', as "
            + "PostgreSQL prints them (0/3007528)")
      ])
  }

  @Test func xidMustBePositive() {
    expectDiagnostics(
      plan(target: "  xid: 1️⃣0"),
      [.error("1️⃣", "'target.xid' must be an integer from 1 to 4294967295, not 0")])
  }

  @Test func xidWithEpochExplainsTheLow32Bits() {
    expectDiagnostics(
      plan(target: "  xid: 1️⃣4294968036"),
      [
        .error(
          "1️⃣", "'target.xid' must be an integer from 1 to 4294967295, not 4294968036",
          notes: [
            "txid_current() and pg_current_xact_id() include the epoch; the 32-bit xid "
              + "PostgreSQL matches is 740"
          ])
      ])
  }

  @Test func xidMustBeANumber() {
    expectDiagnostics(
      plan(target: "  xid: 1️⃣seven"),
      [.error("1️⃣", "'target.xid' must be an integer from 1 to 4294967295, not the text \"seven\"")])
  }

  @Test func restorePointNameAtMost63Bytes() {
    let longest = String(repeating: "a", count: 63)
    #expect(loadValidPlan(plan(target: "  name: \(longest)"))?.target.kind.value == .name(longest))
    expectDiagnostics(
      plan(target: "  name: 1️⃣\(longest)b"),
      [.error("1️⃣", "'target.name' is 64 bytes long; PostgreSQL names are at most 63 bytes")])
    // Bytes, not characters: 32 two-byte letters are 64 bytes.
    expectDiagnostics(
      plan(target: "  name: 1️⃣\(String(repeating: "ñ", count: 32))"),
      [.error("1️⃣", "'target.name' is 64 bytes long; PostgreSQL names are at most 63 bytes")])
  }

  @Test func immediateFalseSelectsNothing() {
    expectDiagnostics(
      plan(target: "  immediate: 1️⃣false"),
      [
        .error(
          "1️⃣",
          "'target.immediate: false' selects nothing; set it to true, or remove it and choose "
            + "another kind")
      ])
  }

  @Test func inclusiveOnlyWithTimeLSNOrXid() {
    expectDiagnostics(
      plan(target: "  name: test_pirt\n  1️⃣inclusive: false"),
      [
        .error(
          "1️⃣",
          "'inclusive' applies only to time, lsn, xid targets; remove it (PostgreSQL ignores "
            + "recovery_target_inclusive for other targets)")
      ])
    let exclusive = loadValidPlan(plan(target: "  xid: 752\n  inclusive: false"))
    #expect(exclusive?.target.inclusive.value == false)
  }

  @Test(arguments: [
    ("latest", TimelineRequest.latest), ("current", .current), ("3", .number(TimelineID(3))),
    // Quoted, as recovery_target_timeline = '1' is written: PostgreSQL reads the number.
    ("\"1\"", .number(TimelineID(1))), ("'3'", .number(TimelineID(3))), ("\"latest\"", .latest),
  ])
  func timelineValues(text: String, expected: TimelineRequest) {
    let loaded = loadValidPlan(plan(target: "  latest: true\n  timeline: \(text)"))
    #expect(loaded?.target.timeline.value == expected)
  }

  @Test func timelineRejectsZeroAndWords() {
    expectDiagnostics(
      plan(target: "  latest: true\n  timeline: 1️⃣0"),
      [
        .error(
          "1️⃣",
          "'target.timeline' must be one of latest, current, or an integer from 1 to 4294967295, "
            + "not 0")
      ])
    expectDiagnostics(
      plan(target: "  latest: true\n  timeline: 1️⃣newest"),
      [
        .error(
          "1️⃣",
          "'target.timeline' must be one of latest, current, or an integer from 1 to 4294967295, "
            + "not 'newest'", notes: [])
      ])
    expectDiagnostics(
      plan(target: "  latest: true\n  timeline: 1️⃣\"0\""),
      [
        .error(
          "1️⃣",
          "'target.timeline' must be one of latest, current, or an integer from 1 to 4294967295, "
            + "not 0")
      ])
  }
}

@Suite struct TargetTimeTests {
  private func time(_ text: String) -> TargetTime? {
    guard case .time(let time)? = loadValidPlan(plan(target: "  time: \"\(text)\""))?.target.kind.value
    else { return nil }
    return time
  }

  @Test func numericOffsets() {
    #expect(time("2025-12-24 17:53:00-07")?.zone == .utcOffset(seconds: -7 * 3600))
    #expect(time("2025-12-24 17:53:00+05:30")?.zone == .utcOffset(seconds: 19800))
    #expect(time("2025-12-24T17:53:00+0545")?.zone == .utcOffset(seconds: 20700))
    #expect(time("2025-12-24 17:53:00Z")?.zone == .utcOffset(seconds: 0))
  }

  @Test func fractionAndComponents() {
    let parsed = time("2025-12-24 17:53:45.88-07")
    #expect(parsed?.year == 2025)
    #expect(parsed?.month == 12)
    #expect(parsed?.day == 24)
    #expect(parsed?.hour == 17)
    #expect(parsed?.minute == 53)
    #expect(parsed?.second == 45)
    #expect(parsed?.microsecond == 880_000)
    #expect(time("2025-12-24 17:53")?.second == 0)
  }

  @Test func fullZoneNamesAreAccepted() {
    #expect(time("2025-12-24 17:53:00 America/Phoenix")?.zone == .named("America/Phoenix"))
    #expect(time("2025-12-24 17:53:00 UTC")?.zone == .named("UTC"))
  }

  @Test func noZoneIsLeftForTheCompiler() {
    #expect(time("2025-12-24 17:53:00")?.zone == .unspecified)
  }

  @Test func abbreviationsAreRejectedWithTheReason() {
    expectDiagnostics(
      plan(target: "  time: 1️⃣\"2025-12-24 17:53:00 EDT\""),
      [
        .error(
          "1️⃣",
          "time zone abbreviation 'EDT' is not accepted: abbreviations are ambiguous (CST is "
            + "three different zones) and PostgreSQL cannot read them in recovery_target_time; "
            + "write a UTC offset or a full zone name",
          notes: ["EDT is usually UTC offset -04, or the zone America/New_York"])
      ])
    expectDiagnostics(
      plan(target: "  time: 1️⃣\"2025-12-24 17:53:00 MST\""),
      [
        .error(
          "1️⃣",
          "time zone abbreviation 'MST' is not accepted: abbreviations are ambiguous (CST is "
            + "three different zones) and PostgreSQL cannot read them in recovery_target_time; "
            + "write a UTC offset or a full zone name",
          notes: ["MST is usually UTC offset -07, or the zone America/Phoenix or America/Denver"])
      ])
  }

  @Test func unknownZoneName() {
    expectDiagnostics(
      plan(target: "  time: 1️⃣\"2025-12-24 17:53:00 Mars/Olympus\""),
      [
        .error(
          "1️⃣",
          "unknown time zone 'Mars/Olympus'; use a name from the tz database (as in "
            + "pg_timezone_names), such as America/Phoenix or Europe/Madrid")
      ])
  }

  @Test func impossibleDate() {
    expectDiagnostics(
      plan(target: "  time: 1️⃣\"2025-02-29 10:00:00+00\""),
      [.error("1️⃣", "'2025-02-29 10:00:00+00' is not a valid date and time")])
  }

  @Test func unreadableTime() {
    expectDiagnostics(
      plan(target: "  time: 1️⃣yesterday"),
      [
        .error(
          "1️⃣",
          "'yesterday' is not a time pitr can read; write 'YYYY-MM-DD HH:MM:SS' with an optional "
            + "fraction and zone, as in '2025-12-24 17:53:00-07' or "
            + "'2025-12-24 17:53:00 America/Phoenix'")
      ])
  }

  @Test func unquotedTimestampIsText() {
    // YAML 1.1 would make this a timestamp; the loader keeps the text as written.
    guard
      case .time(let time)? = loadValidPlan(plan(target: "  time: 2025-12-24 17:53:00-07"))?
        .target.kind.value
    else {
      Issue.record("no time target")
      return
    }
    #expect(time.text == "2025-12-24 17:53:00-07")
  }

  @Test(arguments: ["pause", "shutdown"])
  func latestTargetOnlyPromotes(action: String) {
    expectDiagnostics(
      plan(target: "  latest: true").replacing("action: promote", with: "action: 1️⃣\(action)"),
      [
        .error(
          "1️⃣",
          "'action: \(action)' cannot be used with 'target.latest': with no recovery target "
            + "PostgreSQL promotes as soon as the archived WAL ends and ignores "
            + "recovery_target_action; use 'action: promote', or give a time, name, lsn or xid "
            + "target to stop before the end", notes: ["the target is set here"])
      ])
  }
}
