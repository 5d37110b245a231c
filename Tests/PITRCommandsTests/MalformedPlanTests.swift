import Foundation
import Testing
import _PITRTestSupport

/// A malformed plan and the first error `pitr validate` must report for it.
struct MalformedPlan: CustomTestStringConvertible, Sendable {
  var name: String
  var bytes: [UInt8]
  /// The first diagnostic's line and column.
  var line: Int
  var column: Int
  /// A part of its message.
  var message: String
  var environment: [String: String] = [:]

  var testDescription: String { name }

  init(
    _ name: String, _ text: String, _ line: Int, _ column: Int, _ message: String,
    environment: [String: String] = [:]
  ) {
    self.init(name, bytes: Array(text.utf8), line, column, message, environment: environment)
  }

  init(
    _ name: String, bytes: [UInt8], _ line: Int, _ column: Int, _ message: String,
    environment: [String: String] = [:]
  ) {
    self.name = name
    self.bytes = bytes
    self.line = line
    self.column = column
    self.message = message
    self.environment = environment
  }
}

private func broken(_ old: String, _ new: String) -> String {
  precondition(SamplePlan.base.contains(old), "the sample plan has no '\(old)'")
  return SamplePlan.base.replacing(old, with: new)
}

private let aliasBomb: String = {
  var yaml = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
  for level in 1...9 {
    yaml +=
      "a\(level): &a\(level) ["
      + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]\n"
  }
  return yaml
}()

let malformedPlans: [MalformedPlan] = [
  MalformedPlan("YAML syntax error", "version: 1\nbackups: [/b\n", 3, 1, "invalid YAML"),
  MalformedPlan(
    "unclosed quote", broken("port: 5599", "port: \"5599"), 11, 1, "invalid YAML"),
  MalformedPlan(
    "tab indentation", "version: 1\nbackups:\n\tbase: /b\n", 3, 1,
    "a tab character is used for indentation"),
  MalformedPlan(
    "port is text", broken("port: 5599", "port: high"), 9, 9,
    "'destination.port' must be an integer from 1 to 65535"),
  MalformedPlan(
    "port out of range", broken("port: 5599", "port: 0"), 9, 9,
    "'destination.port' must be an integer from 1 to 65535, not 0"),
  MalformedPlan(
    "target is a list", broken("target:\n  time: \"2025-12-24 17:53:00-07\"", "target: [a]"), 5, 9,
    "'target' must be a mapping"),
  MalformedPlan(
    "verify is a mapping", SamplePlan.base + "verify: {sql: x}\n", 11, 9, "'verify' must be a list"),
  MalformedPlan(
    "unknown top-level key", SamplePlan.base + "targets: {}\n", 11, 1, "unknown key 'targets' at the top level"),
  MalformedPlan(
    "unknown key in backups", broken("wal: /backups/wal", "wal: /backups/wal\n  wall: x"), 5, 3,
    "unknown key 'wall' in 'backups'"),
  MalformedPlan(
    "unknown key in target", broken("  time:", "  tme: x\n  time:"), 6, 3,
    "unknown key 'tme' in 'target'"),
  MalformedPlan(
    "unknown key in destination", broken("port: 5599", "port: 5599\n  datadir: /x"), 10, 3,
    "unknown key 'datadir' in 'destination'"),
  MalformedPlan(
    "unknown key in source", SamplePlan.base + "source:\n  sysid: 1\n", 12, 3, "unknown key 'sysid' in 'source'"),
  MalformedPlan(
    "unknown key in a check", SamplePlan.base + "verify:\n  - sql: x\n    expect: 1\n    expct: 2\n", 14, 5,
    "unknown key 'expct' in 'verify[0]'"),
  MalformedPlan(
    "PostgreSQL setting as a key", broken("  time:", "  recovery_target_inclusive: on\n  time:"),
    6, 3, "'recovery_target_inclusive' is a PostgreSQL setting, not a plan key"),
  MalformedPlan(
    "two targets", broken("  time: \"2025-12-24 17:53:00-07\"", "  time: \"2025-12-24 17:53:00-07\"\n  xid: 5"),
    7, 3, "'target' has more than one target ('time' and 'xid')"),
  MalformedPlan(
    "no target", broken("  time: \"2025-12-24 17:53:00-07\"", "  inclusive: true"), 5, 1,
    "'target' needs a target"),
  MalformedPlan(
    "bad LSN", broken("  time: \"2025-12-24 17:53:00-07\"", "  lsn: 0/G"), 6, 8,
    "'0/G' is not an LSN"),
  MalformedPlan(
    "negative xid", broken("  time: \"2025-12-24 17:53:00-07\"", "  xid: -3"), 6, 8,
    "'target.xid' must be an integer from 1 to 4294967295, not -3"),
  MalformedPlan(
    "zone abbreviation", broken("17:53:00-07", "17:53:00 EDT"), 6, 9,
    "time zone abbreviation 'EDT' is not accepted"),
  MalformedPlan(
    "unknown zone name", broken("17:53:00-07", "17:53:00 Europe/Atlantis"), 6, 9,
    "unknown time zone 'Europe/Atlantis'"),
  MalformedPlan(
    "relative data directory", broken("data_directory: /srv/pg/restore", "data_directory: restore"),
    8, 19, "'destination.data_directory' must be an absolute path"),
  MalformedPlan(
    "relative WAL folder", broken("wal: /backups/wal", "wal: [/ok, ./wal]"), 4, 14,
    "'backups.wal[1]' must be an absolute path"),
  MalformedPlan(
    "unset variable", broken("base: /backups/base", "base: ${PITR_UNSET_FOR_TEST}/base"), 3, 9,
    "environment variable 'PITR_UNSET_FOR_TEST' is not set"),
  MalformedPlan(
    "settings value with a newline",
    broken("port: 5599", "port: 5599\n  settings:\n    work_mem: \"1MB\\nfsync = off\""), 11, 15,
    "contains a line break"),
  MalformedPlan("empty file", "", 1, 1, "the plan file is empty"),
  MalformedPlan("plan that is a list", "- version: 1\n", 1, 1, "a plan must be a mapping"),
  MalformedPlan(
    "plan that is a scalar", "hello\n", 1, 1, "a plan must be a mapping"),
  MalformedPlan(
    "non-UTF-8 bytes", bytes: Array("version: 1\nname: \"".utf8) + [0xFF, 0xFE] + Array("\"\n".utf8),
    2, 8, "the plan is not valid UTF-8 (byte 0xFF)"),
  MalformedPlan(
    "10 MB file", bytes: Array(("# " + String(repeating: "x", count: 10_000_000) + "\n").utf8), 1, 1,
    "the plan file is 10.0 MB; a plan is at most 1 MB"),
  MalformedPlan(
    "5,000 levels of nesting", String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000),
    1, 1, "the plan nests deeper than 64 levels"),
  MalformedPlan(
    "alias expansion bomb", aliasBomb, 5, 45, "alias '*a3' expands to more than 100000 values"),
  MalformedPlan(
    "duplicate key", broken("port: 5599", "port: 5599\n  port: 5600"), 10, 3, "duplicate key 'port'"),
  MalformedPlan(
    "second document", SamplePlan.base + "---\nversion: 1\n", 11, 1, "a plan file holds one YAML document"),
  MalformedPlan(
    "NUL byte", bytes: Array("version: 1\n".utf8) + [0] + Array("\n".utf8), 2, 1,
    "the plan contains a control character (0x0)"),
  MalformedPlan(
    "data directory inside the base backups",
    broken("data_directory: /srv/pg/restore", "data_directory: /backups/base/new"), 8, 19,
    "is inside 'backups.base'"),
  MalformedPlan(
    "verify with shutdown", broken("action: promote", "action: shutdown") + "verify:\n  - sql: x\n    expect: 1\n",
    11, 1, "'verify' cannot be used with 'action: shutdown'"),
  MalformedPlan(
    "promote-if-verified without checks", broken("action: promote", "action: promote-if-verified"), 10, 9,
    "'action: promote-if-verified' needs 'verify'"),
  MalformedPlan(
    "password in conninfo", SamplePlan.base + "source:\n  conninfo: \"host=db password=x\"\n", 12, 13,
    "must not hold a password"),
  MalformedPlan(
    "timeline zero", broken("  time: \"2025-12-24 17:53:00-07\"", "  latest: true\n  timeline: 0"), 7, 13,
    "'target.timeline' must be one of latest, current, or an integer"),
  MalformedPlan(
    "inclusive with a restore point",
    broken("  time: \"2025-12-24 17:53:00-07\"", "  name: x\n  inclusive: true"), 7, 3,
    "'inclusive' applies only to time, lsn, xid targets"),
  MalformedPlan(
    "unsupported version", broken("version: 1", "version: 3"), 1, 10,
    "plan format version 3 is not supported"),
  MalformedPlan(
    "missing version", broken("version: 1\n", ""), 1, 1, "missing required key 'version' at the top level"),
]

@Suite struct MalformedPlanTests {
  @Test func theTableCoversAtLeastThirtyPlans() {
    #expect(malformedPlans.count >= 30)
  }

  @Test(arguments: malformedPlans)
  func malformedPlanIsALocatedErrorAndExitTwo(_ plan: MalformedPlan) throws {
    let directory = try TemporaryDirectory("malformed")
    defer { directory.remove() }
    let path = directory.file("plan.yaml")
    try Data(plan.bytes).write(to: URL(fileURLWithPath: path))
    let result = try pitr("validate", path, environment: plan.environment, timeout: 20)
    #expect(result.status == 2, "\(plan.name): \(result.standardError)")
    let firstLine = result.standardError.split(separator: "\n").first.map(String.init) ?? ""
    #expect(
      firstLine.hasPrefix("\(path):\(plan.line):\(plan.column): error: "),
      "\(plan.name): \(firstLine)")
    #expect(firstLine.contains(plan.message), "\(plan.name): \(firstLine)")
  }
}
