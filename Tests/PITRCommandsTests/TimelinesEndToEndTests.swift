import Foundation
import Testing
import _PITRTestSupport

/// Timelines end to end, as a DBA lives them, with `pitr apply` each time.
///
/// On timeline 1 the source archives into folder A (gzip'd): a base backup, rows 1 and 2,
/// the restore point `fork`, row 3 and the restore point `tl1-after` (in the same segment), row
/// 4 in the next segment. A first restore stops
/// at `fork` and promotes (timeline 2); with `archiving: keep` and its own `archive_command`
/// (`destination.settings`) the promoted server archives into folder B (plain copies),
/// `00000002.history` first. Rows 10 and 11 go in on timeline 2, then the restore point
/// `tl2-point`, then row 12. With `backups.wal: [A, B]`, pitr then restores to `tl2-point`
/// (`timeline: latest` and `timeline: 2`: rows 1, 2, 10, 11) and to `tl1-after`, on timeline
/// 1 after the switch (`timeline: 1`: rows 1, 2, 3); each stops where pitr predicted.
@Suite(.tags(.integration), .enabled(if: PostgresLab.isAvailable))
struct TimelinesEndToEndTests {
  @Test func restoreOnTimeline2AfterAPromotionAndOnTimeline1AfterTheSwitch() throws {
    let lab = try PostgresLab(name: "timelines", archive: .gzipFlat)
    defer { lab.remove() }
    let folderA = lab.archiveDirectory
    let folderB = lab.directory.file("wal-b")
    try RestoreSandbox.makePostgresDirectory(folderB)
    try lab.sql("CREATE TABLE t (i int)")
    try lab.baseBackup(into: "nightly", format: .tar(compression: .none), wal: .stream, label: "nightly")
    try lab.sql("INSERT INTO t VALUES (1), (2)")
    try lab.sql("SELECT pg_create_restore_point('fork')")
    try lab.sql("INSERT INTO t VALUES (3)")
    try lab.sql("SELECT pg_create_restore_point('tl1-after')")
    try lab.switchWAL()
    // The source goes on into another segment (the catalog marks timeline 2 a side branch).
    try lab.sql("INSERT INTO t VALUES (4)")
    try lab.switchWAL()
    try lab.stop()

    // The first restore, from A alone: promoted at 'fork', archiving into B.
    let first = try RestoreSandbox(in: lab.directory.path, name: "r1")
    defer { first.remove() }
    let archiveToB = "cp %p \(folderB)/%f.tmp && mv \(folderB)/%f.tmp \(folderB)/%f"
    let firstPlan = try Self.writePlan(
      lab, wal: [folderA], target: "  name: fork", into: first,
      destination: "  archiving: keep\n  settings:\n    archive_command: '\(archiveToB)'")
    let promoted = try Self.apply(firstPlan, in: lab)
    #expect(promoted.status == 0, "\(promoted.standardOutput)\(promoted.standardError)")
    #expect(try first.sql("SELECT string_agg(i::text, ',' ORDER BY i) FROM t") == "1,2")
    #expect(try first.sql("SELECT timeline_id FROM pg_control_checkpoint()") == "2")
    try Self.waitForFile("\(folderB)/00000002.history")
    let history = try String(contentsOfFile: "\(folderB)/00000002.history", encoding: .utf8)
    let switchLSN = try #require(
      history.split(separator: "\n").first { $0.hasPrefix("1\t") }?.split(separator: "\t").dropFirst().first
        .map(String.init), "\(history)")
    // Timeline 2: two rows, the restore point, one more row, archived into B.
    try first.sql("INSERT INTO t VALUES (10), (11)")
    try first.sql("SELECT pg_create_restore_point('tl2-point')")
    try first.sql("INSERT INTO t VALUES (12)")
    let lastOfTimeline2 = try first.sql("SELECT pg_walfile_name(pg_current_wal_lsn())")
    #expect(lastOfTimeline2.hasPrefix("00000002"))
    try first.sql("SELECT pg_switch_wal()")
    try Self.waitForFile("\(folderB)/\(lastOfTimeline2)")
    first.stopServer()

    // pitr catalog over A and B: both timelines, and where 2 forks from 1.
    try Self.expectCatalog(lab, folders: [folderA, folderB], switchLSN: switchLSN)

    // timeline: latest and timeline: 2 restore to tl2-point; timeline: 1 to tl1-after.
    for (timeline, target, rows) in [
      ("latest", "tl2-point", "1,2,10,11"), ("2", "tl2-point", "1,2,10,11"), ("1", "tl1-after", "1,2,3"),
    ] {
      let sandbox = try RestoreSandbox(in: lab.directory.path, name: "tl\(timeline.prefix(1))")
      defer { sandbox.remove() }
      let plan = try Self.writePlan(
        lab, wal: [folderA, folderB], target: "  name: \(target)\n  timeline: \(timeline)", into: sandbox)
      let dryRun = try pitr("plan", plan, "--no-cache", environment: Self.cache(lab))
      #expect(dryRun.status == 0, "\(dryRun.standardError)")
      let follows =
        timeline == "1"
        ? "  recovery follows timeline 1\n"
        : "  recovery follows timeline 1 to \(switchLSN), then timeline 2\n"
      #expect(dryRun.standardOutput.contains(follows), "\(dryRun.standardOutput)")
      #expect(dryRun.standardOutput.contains("  promotion selects timeline 3\n"), "\(dryRun.standardOutput)")
      #expect(
        dryRun.standardOutput.contains("--wal \(folderA) --wal \(folderB) "), "\(dryRun.standardOutput)")
      let applied = try Self.apply(plan, in: lab)
      #expect(applied.status == 0, "timeline \(timeline): \(applied.standardOutput)\(applied.standardError)")
      #expect(
        applied.standardOutput.contains(
          "PostgreSQL stopped where pitr predicted: recovery stopping at restore point \"\(target)\""),
        "timeline \(timeline): \(applied.standardOutput)")
      #expect(try sandbox.sql("SELECT string_agg(i::text, ',' ORDER BY i) FROM t") == rows, "timeline \(timeline)")
      #expect(try sandbox.sql("SELECT timeline_id FROM pg_control_checkpoint()") == "3", "timeline \(timeline)")
    }
  }

  /// `pitr catalog` text and JSON over `folders`: timelines 1 and 2, 2 forking from 1 at
  /// `switchLSN`, at the restore point `fork`.
  static func expectCatalog(_ lab: PostgresLab, folders: [String], switchLSN: String) throws {
    var arguments = ["catalog", "--base", lab.backupsDirectory, "--no-cache"]
    for folder in folders { arguments += ["--wal", folder] }
    let text = try run(arguments)
    #expect(text.status == 0, "\(text.standardError)")
    #expect(text.standardOutput.contains("WAL archive in \(folders.joined(separator: ", "))"))
    let one = try #require(MissingHistoryFileTests.timelineRow(1, in: text.standardOutput), "\(text.standardOutput)")
    #expect(one.split(separator: " ").prefix(3) == ["1", "-", "-"], "\(one)")
    let two = try #require(MissingHistoryFileTests.timelineRow(2, in: text.standardOutput), "\(text.standardOutput)")
    #expect(
      two.split(separator: " ").joined(separator: " ")
        == "2 1 \(switchLSN) at restore point \"fork\" side branch: its parent goes on past the fork",
      "\(two)")
    let json = try run(arguments + ["--json"])
    let document = try #require(
      JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
    #expect(document["wal"] as? [String] == folders)
    let timelines = try #require(document["timelines"] as? [[String: Any]])
    #expect(timelines.compactMap { $0["timeline"] as? Int } == [1, 2])
    let fork = try #require(timelines.first { $0["timeline"] as? Int == 2 })
    #expect(fork["parent"] as? Int == 1)
    #expect(fork["switchLSN"] as? String == switchLSN)
    #expect(fork["missingHistory"] == nil)
    #expect(fork["parentContinuesPastFork"] as? Bool == true)
    // The backup has a window on each timeline; 'latest' follows timeline 2.
    let windows = try #require(document["windows"] as? [[String: Any]])
    #expect(
      windows.map { "\($0["timeline"] ?? "?") \($0["status"] ?? "?") \($0["chosenByLatest"] ?? "?")" }
        == ["1 restorable 0", "2 restorable 1"], "\(windows)")
  }

  /// Writes `plan.yaml` in `sandbox`: the lab's backups, the WAL `folders` (a YAML list),
  /// `target` (lines indented by two spaces), restoring into the sandbox and promoting.
  static func writePlan(
    _ lab: PostgresLab, wal folders: [String], target: String, into sandbox: RestoreSandbox,
    destination: String = ""
  ) throws -> String {
    var text = """
      version: 1
      backups:
        base: \(lab.backupsDirectory)
        wal:
      \(folders.map { "    - \($0)" }.joined(separator: "\n"))
      target:
      \(target)
      destination:
        data_directory: \(sandbox.dataDirectory)
        port: \(sandbox.port)
        bin_dir: \(PostgresLab.binaries)
        os_user: postgres

      """
    if !destination.isEmpty { text += destination + "\n" }
    text += "action: promote\n"
    let path = sandbox.file("plan.yaml")
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    return path
  }

  /// `pitr apply PLAN --yes`, with the catalog cache inside the lab.
  static func apply(_ plan: String, in lab: PostgresLab) throws -> ProcessResult {
    try pitr("apply", plan, "--yes", "--no-cache", environment: cache(lab), timeout: 180)
  }

  /// The built `pitr` with these arguments.
  static func run(_ arguments: [String]) throws -> ProcessResult {
    let result = try ProcessRunner.run(
      RepositoryPaths.pitrExecutable, arguments, environment: ["NO_COLOR": "1"], timeout: 60)
    #expect(!result.timedOut && !result.terminatedBySignal, "pitr \(arguments)")
    return result
  }

  static func cache(_ lab: PostgresLab) -> [String: String] {
    ["XDG_CACHE_HOME": lab.directory.file("cache")]
  }

  /// Waits until `path` exists (archived by a server), polling every 10 ms.
  static func waitForFile(_ path: String, timeout: Double = 30) throws {
    let deadline = Date().addingTimeInterval(timeout)
    while !FileManager.default.fileExists(atPath: path) {
      guard Date() < deadline else { throw FixtureError("\(path) did not appear within \(timeout) s") }
      usleep(10_000)
    }
  }
}
