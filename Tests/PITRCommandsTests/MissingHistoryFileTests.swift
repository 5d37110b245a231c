import Foundation
import Testing
import _PITRTestSupport

/// A restore promoted with archiving off, archiving turned on afterwards: its timeline's
/// segments reach the archive, its `00000002.history` never does. `pitr catalog` and
/// `pitr validate` name the file, where PostgreSQL wrote it and what to copy where; once it
/// is copied as they say, timeline 2 can be restored.
@Suite(.tags(.integration), .enabled(if: PostgresLab.isAvailable))
struct MissingHistoryFileTests {
  @Test func theCatalogAndValidateNameTheFileAndCopyingItAsToldFixesIt() throws {
    let lab = try PostgresLab(name: "missing-history", archive: .gzipFlat)
    defer { lab.remove() }
    try lab.sql("CREATE TABLE t (i int)")
    let backup = try lab.baseBackup(
      into: "nightly", format: .tar(compression: .none), wal: .stream, label: "nightly")
    try lab.sql("INSERT INTO t VALUES (1)")
    try lab.switchWAL()
    // The restore promotes (end of the archived WAL) with archiving off.
    let clone = try lab.restore(backup: backup, recovery: [:], archiveIntoSameArchive: false)
    let history = "\(clone.dataDirectory)/pg_wal/00000002.history"
    #expect(FileManager.default.fileExists(atPath: history))
    // Archiving on, into the same archive; the next segment of timeline 2 gets there.
    try clone.appendSettings([
      "archive_mode": "on",
      "archive_command":
        "gzip < %p > \(lab.archiveDirectory)/%f.gz.part && mv \(lab.archiveDirectory)/%f.gz.part \(lab.archiveDirectory)/%f.gz",
    ])
    try clone.stop()
    try clone.start()
    try clone.sql("INSERT INTO t VALUES (2)")
    let segment = try clone.sql("SELECT pg_walfile_name(pg_current_wal_lsn())")
    #expect(segment.hasPrefix("00000002"))
    try clone.switchWAL()
    try lab.waitUntilArchived(segment)
    #expect(!FileManager.default.fileExists(atPath: "\(lab.archiveDirectory)/00000002.history.gz"))

    let copy = "\(lab.archiveDirectory)/00000002.history.gz"
    let advice: String =
      "PostgreSQL wrote 00000002.history into the pg_wal/ folder of the server that promoted "
      + "to timeline 2, when it promoted, and archiving was off or failed then; copy "
      + "pg_wal/00000002.history from that server's data directory to \(copy) "
      + "(gzip-compressed, like the segments there)"

    // pitr catalog: timeline 2 has no parent, and the warning says why and what to do.
    let catalog = try pitr(
      "catalog", "--base", lab.backupsDirectory, "--wal", lab.archiveDirectory, "--no-cache")
    #expect(catalog.status == 0, "\(catalog.standardError)")
    let row = try #require(Self.timelineRow(2, in: catalog.standardOutput), "\(catalog.standardOutput)")
    #expect(
      row.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        == "2 ? ? - no 00000002.history: parent unknown, not restorable (see the warning below)")
    let warning: String =
      "\(lab.archiveDirectory): warning: timeline 2 has 1 segment in the archive but no "
      + "history file 00000002.history, so pitr cannot tell which timeline it forked from "
      + "or where, and no restore can follow it; " + advice + "\n"
    #expect(catalog.standardError.contains(warning), "\(catalog.standardError)")
    let json = try pitr(
      "catalog", "--base", lab.backupsDirectory, "--wal", lab.archiveDirectory, "--no-cache", "--json")
    let document = try #require(
      JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
    let timelines = try #require(document["timelines"] as? [[String: Any]])
    let two = try #require(timelines.first { $0["timeline"] as? Int == 2 })
    #expect(two["parent"] == nil)
    let missing = try #require(two["missingHistory"] as? [String: Any])
    #expect(missing["fileName"] as? String == "00000002.history")
    #expect(missing["archivedName"] as? String == "00000002.history.gz")
    #expect(missing["folder"] as? String == lab.archiveDirectory)
    #expect(missing["segmentCount"] as? Int == 1)

    // pitr validate, 'timeline: 2' with the promoted server as the destination: refused,
    // naming the file in that data directory; only timeline 1 is offered.
    let plan = lab.directory.file("plan.yaml")
    func writePlan(timeline: String, into data: String) throws {
      try Data(
        """
        version: 1
        backups:
          base: \(lab.backupsDirectory)
          wal: \(lab.archiveDirectory)
        target:
          latest: true
          timeline: \(timeline)
        destination:
          data_directory: \(data)
          port: 5599
          os_user: postgres
        action: promote

        """.utf8
      ).write(to: URL(fileURLWithPath: plan))
    }
    try writePlan(timeline: "2", into: clone.dataDirectory)
    let refused = try pitr("validate", plan, "--no-cache")
    #expect(refused.status == 2)
    let refusal: String =
      "\(plan):6:3: error: timeline 2 has 1 segment in the archive but no history file "
      + "00000002.history, so pitr cannot tell where it forked, and PostgreSQL would fail "
      + "with \"recovery target timeline 2 does not exist\". PostgreSQL wrote "
      + "00000002.history into \(history) when it promoted to timeline 2, and archiving "
      + "was off or failed then; copy \(history) to \(copy) (gzip-compressed, like the "
      + "segments there); or use 'timeline: current' or 1\n"
    #expect(refused.standardError.contains(refusal), "\(refused.standardError)")
    #expect(!refused.standardError.contains("one of 1, 2"))
    // 'latest' would stay on timeline 1 without saying so: refused too.
    let restoreInto = lab.directory.file("restore")
    try writePlan(timeline: "latest", into: restoreInto)
    let latest = try pitr("validate", plan, "--no-cache")
    #expect(latest.status == 2)
    let latestRefusal: String =
      "error: with 'timeline: latest' PostgreSQL would stay on timeline 1, though the archive "
      + "has 1 segment of timeline 2: its history file 00000002.history is not in the "
      + "archive, so neither PostgreSQL nor pitr can tell where it forked. " + advice
      + "; or, to restore timeline 1 on purpose, use 'timeline: current'\n"
    #expect(latest.standardError.contains(latestRefusal), "\(latest.standardError)")

    // Copied as told: timeline 2 is known, and the plan is valid.
    _ = try ProcessRunner.run("/bin/sh", ["-c", "gzip < \(history) > \(copy)"], timeout: 30)
    let valid = try pitr("validate", plan, "--no-cache")
    #expect(valid.status == 0, "\(valid.standardError)")
    #expect(!valid.standardError.contains("00000002.history"), "\(valid.standardError)")
    #expect(valid.standardOutput.contains("timeline latest"), "\(valid.standardOutput)")
    let known = try pitr(
      "catalog", "--base", lab.backupsDirectory, "--wal", lab.archiveDirectory, "--no-cache")
    let fixedRow = try #require(Self.timelineRow(2, in: known.standardOutput), "\(known.standardOutput)")
    #expect(fixedRow.split(separator: " ", omittingEmptySubsequences: true).prefix(2) == ["2", "1"])
  }

  /// The row of the catalog's Timelines table for `timeline`.
  static func timelineRow(_ timeline: Int, in output: String) -> Substring? {
    output.split(separator: "\n", omittingEmptySubsequences: false)
      .drop { $0 != "Timelines" }
      .prefix { !$0.isEmpty }
      .first { $0.hasPrefix("  \(timeline) ") }
  }
}
