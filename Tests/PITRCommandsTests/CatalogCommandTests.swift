import Foundation
import Testing
import _PITRTestSupport

@Suite struct CatalogCommandTests {
  /// A repository with one gzip'd tar backup, WAL on two timelines and a gap.
  private func repository() throws -> RepositoryFixture {
    let fixture = try RepositoryFixture()
    try fixture.writeBackup(.init(id: "2025/07/01", includedSegments: ["000000010000000000000002"]))
    try fixture.writeBackupHistory(start: "0/200028", stop: "0/200100")
    try fixture.writeSegments(timeline: 1, 2...4)
    try fixture.writeSegments(timeline: 1, 6...6)
    try fixture.writeHistory(timeline: 2, [(1, "0/480000", "before 2025-07-01 03:00:00+00")])
    try fixture.writeSegments(timeline: 2, 4...5)
    return fixture
  }

  @Test func anIncrementalBackupIsShownWithItsChain() throws {
    let fixture = try RepositoryFixture()
    defer { fixture.remove() }
    try fixture.writeSegments(timeline: 1, 2...6)
    try fixture.writeBackup(.init(id: "full"))
    var incremental = RepositoryFixture.Backup(id: "incr", start: "0/400028", checkpoint: "0/400060")
    incremental.incrementalFrom = ("0/200028", 1)
    try fixture.writeBackup(incremental)
    let result = try pitr("catalog", "--base", fixture.base, "--wal", fixture.wal, "--no-cache")
    #expect(result.status == 0)
    let lines = result.standardOutput.split(separator: "\n", omittingEmptySubsequences: false)
    #expect(lines[1].hasPrefix("  ID "))
    #expect(lines[2].hasPrefix("  full "))
    #expect(lines[3].hasPrefix("  incr "))
    #expect(
      lines[4]
        == "  incr: incremental, chain full -> incr (restored combined by pg_combinebackup)")
    #expect(lines[5] == "")
    // A complete chain restores combined: both have windows.
    let windows = result.standardOutput.components(separatedBy: "Restorable windows\n")[1]
    #expect(windows.contains("  full "))
    #expect(windows.contains("  incr "))
  }

  @Test func tablesShowBackupsWALTimelinesAndWindows() throws {
    let fixture = try repository()
    defer { fixture.remove() }
    let result = try pitr("catalog", "--base", fixture.base, "--wal", fixture.wal, "--no-cache")
    #expect(result.status == 0)
    #expect(result.standardError == "")
    let size = result.standardOutput.split(separator: "\n")[2].split(separator: " ", omittingEmptySubsequences: true)[
      8...9
    ]
    .joined(separator: " ")
    #expect(
      result.standardOutput == """
        Base backups in \(fixture.base)
          ID          START                   STOP                    LSN RANGE           TL  PG  SIZE     COMPRESSION  MANIFEST
          2025/07/01  2025-07-01 02:00:00+00  2025-07-01 02:03:00+00  0/200028..0/200100  1   15  \(size)  gzip         verified (v1, 7 files)

        WAL archive in \(fixture.wal): 1 MiB segments, PostgreSQL 15, system identifier 7711019213718305796
          TIMELINE  FIRST                     LAST                      SEGMENTS  GAPS
          1         000000010000000000000002  000000010000000000000006  4         000000010000000000000005
          2         000000020000000000000004  000000020000000000000005  2         none
          also: 1 .history, 1 .backup files

        Timelines
          TIMELINE  PARENT  SWITCH POINT  REASON                         NOTE
          1         -       -             -
          2         1       0/480000      before 2025-07-01 03:00:00+00  side branch: its parent goes on past the fork

        Restorable windows
          BACKUP      TIMELINE    FROM                               TO        STATUS
          2025/07/01  1           0/200100 (2025-07-01 02:03:00+00)  0/500000  restorable, then 000000010000000000000005 is missing
          2025/07/01  2 (latest)  0/200100 (2025-07-01 02:03:00+00)  0/600000  restorable, then 000000020000000000000006 is missing

        """)
  }

  /// backup_label and the `.backup` file write times in log_timezone's abbreviation; pitr
  /// prints them with the numeric offset a plan's target.time accepts, or as written with
  /// `(zone unknown)` when the backup's configuration does not say which zone wrote them.
  @Test func backupTimesArePrintedWithNumericOffsets() throws {
    let fixture = try RepositoryFixture()
    defer { fixture.remove() }
    try fixture.writeSegments(timeline: 1, 2...4)
    try fixture.writeBackup(
      .init(
        id: "phoenix", logTimezone: "America/Phoenix", startTime: "2026-12-04 11:41:50 MST",
        manifest: false))
    try fixture.writeBackupHistory(
      start: "0/200028", stop: "0/200100", startTime: "2026-12-04 11:41:50 MST",
      stopTime: "2026-12-04 11:44:10 MST")
    try fixture.writeBackup(
      .init(
        id: "unknown", start: "0/300028", checkpoint: "0/300060", timezone: nil,
        startTime: "2026-12-04 19:51:50 CET", manifest: false))
    try fixture.writeBackupHistory(
      start: "0/300028", stop: "0/300100", startTime: "2026-12-04 19:51:50 CET",
      stopTime: "2026-12-04 19:54:10 CET")
    let result = try pitr("catalog", "--base", fixture.base, "--wal", fixture.wal, "--no-cache")
    #expect(result.status == 0)
    let lines = result.standardOutput.split(separator: "\n", omittingEmptySubsequences: false)
    #expect(
      lines[1].hasPrefix(
        "  ID       START                                   STOP                                    LSN RANGE "))
    #expect(
      lines[2].hasPrefix(
        "  phoenix  2026-12-04 11:41:50-07                  2026-12-04 11:44:10-07                  0/200028..0/200100 "
      ))
    #expect(
      lines[3].hasPrefix(
        "  unknown  2026-12-04 19:51:50 CET (zone unknown)  2026-12-04 19:54:10 CET (zone unknown)  0/300028..0/300100 "
      ))
    let windows = result.standardOutput.components(separatedBy: "Restorable windows\n")[1]
    #expect(
      windows == """
          BACKUP   TIMELINE    FROM                                               TO        STATUS
          phoenix  1 (latest)  0/200100 (2026-12-04 11:44:10-07)                  0/500000  restorable
          unknown  1 (latest)  0/300100 (2026-12-04 19:54:10 CET (zone unknown))  0/500000  restorable

        """)

    let json = try pitr("catalog", "--json", "--base", fixture.base, "--wal", fixture.wal, "--no-cache")
    let object = try #require(
      JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
    let backups = try #require(object["backups"] as? [[String: Any]])
    let labels = backups.compactMap { $0["label"] as? [String: Any] }
    let stops = backups.compactMap { $0["stop"] as? [String: Any] }
    #expect(labels.map { $0["startTime"] as? String } == ["2026-12-04 11:41:50-07", "2026-12-04 19:51:50 CET"])
    #expect(
      labels.map { $0["startTimeAsWritten"] as? String }
        == ["2026-12-04 11:41:50 MST", "2026-12-04 19:51:50 CET"])
    #expect(labels.map { $0["startTimeZoneUnknown"] as? Bool } == [nil, true])
    #expect(stops.map { $0["time"] as? String } == ["2026-12-04 11:44:10-07", "2026-12-04 19:54:10 CET"])
    #expect(
      stops.map { $0["timeAsWritten"] as? String } == ["2026-12-04 11:44:10 MST", "2026-12-04 19:54:10 CET"])
    #expect(stops.map { $0["timeZoneUnknown"] as? Bool } == [nil, true])
    #expect(backups.map { $0["logTimezone"] as? String } == ["America/Phoenix", nil])
    let windowObjects = try #require(object["windows"] as? [[String: Any]])
    #expect(
      windowObjects.map { $0["startTime"] as? String } == ["2026-12-04 11:44:10-07", "2026-12-04 19:54:10 CET"])
  }

  @Test func jsonHasTheDocumentedTopLevelKeys() throws {
    let fixture = try repository()
    defer { fixture.remove() }
    let result = try pitr("catalog", "--json", "--base", fixture.base, "--wal", fixture.wal, "--no-cache")
    #expect(result.status == 0)
    let object = try #require(
      JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
    #expect(
      Set(object.keys) == ["base", "wal", "backups", "archive", "timelines", "windows", "diagnostics"])
    let windows = try #require(object["windows"] as? [[String: Any]])
    #expect(windows.count == 2)
    #expect(windows.first?["start"] as? String == "0/200100")
    let backups = try #require(object["backups"] as? [[String: Any]])
    #expect(backups.first?["timezone"] as? String == "America/Phoenix")
  }

  @Test func planFormReadsTheFoldersFromThePlan() throws {
    let fixture = try repository()
    defer { fixture.remove() }
    let plan = try fixture.directory.write(
      SamplePlan.base.replacing("base: /backups/base", with: "base: \(fixture.base)")
        .replacing("wal: /backups/wal", with: "wal: \(fixture.wal)"), to: "plan.yaml")
    let result = try pitr("catalog", plan, "--no-cache")
    #expect(result.status == 0)
    #expect(result.standardOutput.hasPrefix("Base backups in \(fixture.base)\n"))
  }

  @Test func problemsAreListedAfterTheTables() throws {
    let fixture = try repository()
    defer { fixture.remove() }
    let bad = try fixture.write(Array("junk".utf8), to: "\(fixture.wal)/000000010000000000000007")
    let result = try pitr("catalog", "--base", fixture.base, "--wal", fixture.wal, "--no-cache")
    #expect(result.status == 0)
    #expect(
      result.standardError == """

        \(bad): error: named like a WAL segment, but it does not start with a WAL segment header (too short, or not WAL)

        """)
  }

  @Test(arguments: [
    (["catalog"], "give a plan, or both --base and --wal"),
    (["catalog", "--base", "/tmp"], "give a plan, or both --base and --wal"),
    (["catalog", "plan.yaml", "--base", "/tmp", "--wal", "/tmp"], "give either a plan or --base and --wal, not both"),
  ])
  func usageErrors(arguments: [String], message: String) throws {
    let result = try ProcessRunner.run(RepositoryPaths.pitrExecutable, arguments)
    #expect(result.status == 64)
    #expect(result.standardError.contains(message))
  }

  @Test func missingFolderIsAUsageError() throws {
    let result = try pitr("catalog", "--base", "/nonexistent/base", "--wal", "/tmp")
    #expect(result.status == 64)
    #expect(result.standardError == "pitr: error: '/nonexistent/base' is not a folder\n")
  }

  @Test func svgDrawsTheRepositoryToStandardOutputOrAFile() throws {
    let fixture = try repository()
    defer { fixture.remove() }
    try fixture.writeSegment("000000010000000000000007", bytes: [UInt8](repeating: 1, count: 100))
    let printed = try pitr("catalog", "--base", fixture.base, "--wal", fixture.wal, "--no-cache", "--format", "svg")
    #expect(printed.status == 0, "\(printed.standardError)")
    let picture = try SVGDocument(printed.standardOutput)
    #expect(picture.elements(class: "lane").map { $0["data-timeline"] } == ["1", "2"])
    #expect(picture.elements(class: "gap").map { $0["data-segment"] } == ["000000010000000000000005"])
    #expect(picture.elements(class: "backup").map { $0["data-backup"] } == ["2025/07/01"])
    #expect(picture.elements(class: "unusable").map { $0["data-segment"] } == ["000000010000000000000007"])
    // The problems still go to standard error.
    #expect(printed.standardError.contains("000000010000000000000007"), "\(printed.standardError)")

    let out = fixture.directory.file("repository.svg")
    let written = try pitr(
      "catalog", "--base", fixture.base, "--wal", fixture.wal, "--format", "svg", "--out", out)
    #expect(written.status == 0)
    #expect(written.standardOutput.isEmpty)
    #expect(try String(contentsOfFile: out, encoding: .utf8) == printed.standardOutput)

    let json = try pitr("catalog", "--base", fixture.base, "--wal", fixture.wal, "--format", "json")
    let flag = try pitr("catalog", "--base", fixture.base, "--wal", fixture.wal, "--json")
    #expect(json.status == 0 && json.standardOutput == flag.standardOutput)
  }

  @Test func jsonAndAnotherFormatAreAUsageError() throws {
    let fixture = try repository()
    defer { fixture.remove() }
    let result = try pitr("catalog", "--base", fixture.base, "--wal", fixture.wal, "--json", "--format", "svg")
    #expect(result.status == 64)
    #expect(
      result.standardError.hasPrefix("Error: --json and --format svg ask for two outputs: give one\n"),
      "\(result.standardError)")
    #expect(result.standardOutput.isEmpty)
  }

  @Test func anOutputFileThatCannotBeWrittenIsAUsageError() throws {
    let fixture = try repository()
    defer { fixture.remove() }
    let out = "/nonexistent/repository.svg"
    let reason: String
    do {
      try Data("x".utf8).write(to: URL(fileURLWithPath: out), options: .atomic)
      Issue.record("\(out) could be written")
      return
    } catch {
      reason = error.localizedDescription
    }
    let result = try pitr(
      "catalog", "--base", fixture.base, "--wal", fixture.wal, "--format", "svg", "--out", out)
    #expect(result.status == 64)
    #expect(result.standardError == "pitr: error: cannot write \(out): \(reason)\n")
    #expect(result.standardOutput.isEmpty)
  }
}
