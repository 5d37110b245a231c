import Foundation
import Testing
import _PITRTestSupport

/// `source.switch_wal`: the target is in WAL the live source has not archived yet.
/// `pitr validate` reads the archive as it is and refuses; `pitr apply` switches WAL on the
/// source first, waits for the archive, and only then checks the plan and restores.
@Suite(.tags(.integration), .enabled(if: PostgresLab.isAvailable))
struct ApplySourceSwitchTests {
  @Test func applySwitchesTheSourcesWALBeforeCheckingThePlan() throws {
    let lab = try PostgresLab(name: "apply-switch", archive: .gzipFlat)
    defer { lab.remove() }
    try lab.baseBackup(into: "base", format: .tar(compression: .serverGzip), label: "switch")
    try lab.sql("CREATE TABLE entries (name text)")
    try lab.sql("INSERT INTO entries VALUES ('before the point')")
    try lab.sql("SELECT pg_create_restore_point('not_archived_yet')")
    try lab.sql("INSERT INTO entries VALUES ('after the point')")
    // No pg_switch_wal(): the restore point is only in the source's current segment.
    let sandbox = try RestoreSandbox(in: lab.directory.path, name: "switch")
    defer { sandbox.remove() }
    let conninfo = "host=\(lab.socketDirectory) port=\(lab.port) user=postgres dbname=postgres"
    let plan = sandbox.file("plan.yaml")
    let text = ApplyHarness.planText(
      base: lab.backupsDirectory, wal: lab.archiveDirectory, target: "  name: not_archived_yet",
      sandbox: sandbox,
      tail: """
        source:
          conninfo: "\(conninfo)"
          switch_wal: true
        verify:
          - name: only the row made before the restore point
            sql: SELECT name FROM entries
            expect_rows: [["before the point"]]
        """)
    try Data(text.utf8).write(to: URL(fileURLWithPath: plan))

    let validate = try ApplyTests.Command.pitr(["validate", plan], in: sandbox)
    #expect(validate.status == 2, "\(validate.standardError)")
    #expect(
      validate.standardError.contains("no restore point named 'not_archived_yet'"), "\(validate.standardError)")

    let apply = try ApplyTests.Command.pitr(["apply", plan, "--yes"], in: sandbox)
    #expect(apply.status == 0, "\(apply.standardError)")
    #expect(
      apply.standardError.contains("switch-source-wal: pg_switch_wal() on the source, before checking the plan"),
      "\(apply.standardError)")
    #expect(
      apply.standardError.range(
        of: #"switch-source-wal: [0-9A-F]{24} is archived"#, options: .regularExpression) != nil,
      "\(apply.standardError)")
    #expect(apply.standardError.contains("done before the plan was checked"), "\(apply.standardError)")
    #expect(try sandbox.sql("SELECT string_agg(name, ',') FROM entries") == "before the point")
  }

  @Test func anUnreachableSourceStopsApplyBeforeAnythingIsDone() throws {
    let lab = try PostgresLab(name: "apply-switch-down", archive: .gzipFlat)
    defer { lab.remove() }
    try lab.baseBackup(into: "base", format: .tar(compression: .serverGzip), label: "switch")
    let port = lab.port
    try lab.stop()
    let sandbox = try RestoreSandbox(in: lab.directory.path, name: "switch-down")
    defer { sandbox.remove() }
    let plan = sandbox.file("plan.yaml")
    let text = ApplyHarness.planText(
      base: lab.backupsDirectory, wal: lab.archiveDirectory, target: "  immediate: true",
      sandbox: sandbox,
      tail: """
        source:
          conninfo: "host=\(lab.socketDirectory) port=\(port) user=postgres dbname=postgres"
          switch_wal: true
        """)
    try Data(text.utf8).write(to: URL(fileURLWithPath: plan))

    let apply = try ApplyTests.Command.pitr(["apply", plan, "--yes"], in: sandbox)

    #expect(apply.status == 1)
    #expect(
      apply.standardError.contains("pitr: error: cannot switch WAL on the source (source.conninfo): "),
      "\(apply.standardError)")
    #expect(!FileManager.default.fileExists(atPath: sandbox.dataDirectory))
    #expect(!FileManager.default.fileExists(atPath: sandbox.stateDirectory))
  }
}
