import Foundation
import PostgresVocabulary
import Testing
import WAL
import _PITRTestSupport

@testable import PITRCommands

/// `pitr wal find --base DIR` on a synthetic repository: only what a restore from one of the
/// backups can reach is listed (`--all` lists the rest), and times without a zone are read in
/// the backups' timezone.
@Suite struct WALFindBackupsTests {
  static let items = RelationFileLocator(tablespace: 1663, database: 16_384, relation: 16_386)
  /// 2025-12-24 17:00:00 UTC (10:00 in Phoenix), and seconds after it.
  static func time(_ seconds: Int64) -> PostgresTimestamp {
    PostgresTimestamp(microsecondsSince2000: 819_910_800_000_000 + seconds * 1_000_000)
  }

  /// Backup `b1` (its timezone `timezone`, consistent at 0/240100) and WAL: transaction 699
  /// (an insert and its commit) before the backup is consistent, 701's insert before and its
  /// commit after it, then a restore point and 702's commit at 2025-12-25 03:00 UTC (20:00 on
  /// the 24th in Phoenix).
  static func repository(timezones: [String?] = ["America/Phoenix"]) throws -> RepositoryFixture {
    let fixture = try RepositoryFixture()
    for (index, timezone) in timezones.enumerated() {
      try fixture.writeBackup(.init(id: "b\(index + 1)", start: "0/240028", checkpoint: "0/240060", timezone: timezone))
    }
    var wal = WALSegmentBuilder(
      major: 15, segmentSize: RepositoryFixture.segmentSize,
      systemIdentifier: RepositoryFixture.systemIdentifier, startSegment: 2)
    wal.pad(to: LSN(rawValue: 0x20_0100))
    wal.append(.heapInsert(xid: 699, relation: items, block: 0, offset: 1))
    wal.append(.commit(xid: 699, WALTransactionEndSpec(time: time(0))))
    wal.append(.heapInsert(xid: 701, relation: items, block: 0, offset: 2))
    wal.pad(to: LSN(rawValue: 0x25_0000))
    wal.append(.commit(xid: 701, WALTransactionEndSpec(time: time(60))))
    wal.append(.restorePoint(name: "after-backup", time: time(120)))
    wal.append(.commit(xid: 702, WALTransactionEndSpec(time: time(10 * 3600))))
    wal.append(.filler(totalLength: 2 << 20))
    wal.append(.switchSegment())
    try wal.write(to: fixture.wal, compressed: false)
    return fixture
  }

  /// The table's rows as `kind xid`.
  static func rows(_ output: String) -> [String] {
    output.split(separator: "\n").compactMap { line in
      let cells = line.split(separator: " ", omittingEmptySubsequences: true)
      guard cells.count >= 3, cells[0].contains("/"), LSN(String(cells[0])) != nil else { return nil }
      // A restore point has no xid: its time follows the kind.
      return "\(cells[1]) \(cells[1] == "restore-point" ? "-" : cells[2])"
    }
  }

  static func find(_ fixture: RepositoryFixture, _ arguments: String...) throws -> ProcessResult {
    try ProcessRunner.run(
      RepositoryPaths.pitrExecutable,
      ["wal", "find", "--wal", fixture.wal, "--no-cache"] + arguments,
      environment: ["NO_COLOR": "1"], timeout: 60)
  }

  static func lastLine(_ text: String) -> String {
    text.split(separator: "\n").last.map(String.init) ?? ""
  }

  /// `--plan PLAN` takes the plan's backups.base and backups.wal: the same listing as
  /// `--base` and `--wal`; giving both, or neither an archive nor a plan, is a usage error.
  @Test func aPlanNamesTheBackupsAndTheArchive() throws {
    let fixture = try Self.repository()
    defer { fixture.remove() }
    let plan = try fixture.directory.write(
      """
      version: 1
      backups:
        base: \(fixture.base)
        wal: \(fixture.wal)
      target:
        latest: true
      destination:
        data_directory: \(fixture.directory.file("restore"))
        port: 5599
      action: promote

      """, to: "plan.yaml")
    let byPlan = try ProcessRunner.run(
      RepositoryPaths.pitrExecutable, ["wal", "find", "--plan", plan, "--no-cache", "--from", "2025-12-24"],
      environment: ["NO_COLOR": "1"], timeout: 60)
    #expect(byPlan.status == 0, "\(byPlan.standardError)")
    let byFolders = try Self.find(fixture, "--base", fixture.base, "--from", "2025-12-24")
    #expect(byPlan.standardOutput == byFolders.standardOutput)
    #expect(Self.rows(byPlan.standardOutput) == ["insert 701", "commit 701", "restore-point -", "commit 702"])
    #expect(
      Self.lastLine(byPlan.standardError)
        == "pitr: 2 events outside every restorable window of the backups left out (--all shows them)")

    let both = try Self.find(fixture, "--plan", plan)
    #expect(both.status == 64)
    #expect(
      both.standardError.hasPrefix(
        "Error: give --plan, or --base and --wal, not both: the plan names its backups and archive"))
    let neither = try ProcessRunner.run(
      RepositoryPaths.pitrExecutable, ["wal", "find"], environment: ["NO_COLOR": "1"], timeout: 60)
    #expect(neither.status == 64)
    #expect(neither.standardError.hasPrefix("Error: give the archive with --wal DIR"))
  }

  @Test func onlyWhatARestorableWindowReachesIsListedByDefault() throws {
    let fixture = try Self.repository()
    defer { fixture.remove() }
    let result = try Self.find(fixture, "--base", fixture.base)
    #expect(result.status == 0, "\(result.standardError)")
    // 701's insert precedes the consistent point, but a restore to just before 701 stops at
    // its commit, which a restore from b1 reaches.
    #expect(Self.rows(result.standardOutput) == ["insert 701", "commit 701", "restore-point -", "commit 702"])
    #expect(result.standardOutput.contains("To restore to just before transaction 701"))
    #expect(!result.standardOutput.contains("699"))
    #expect(
      Self.lastLine(result.standardError)
        == "pitr: 2 events outside every restorable window of the backups left out (--all shows them)")

    let all = try Self.find(fixture, "--base", fixture.base, "--all")
    #expect(all.status == 0, "\(all.standardError)")
    #expect(
      Self.rows(all.standardOutput) == [
        "insert 699", "commit 699", "insert 701", "commit 701", "restore-point -", "commit 702",
      ])
    #expect(!all.standardError.contains("left out"))
    #expect(all.standardError.hasPrefix("pitr: read timeline 1 up to the "))

    // Without the backups, everything, as before.
    let plain = try Self.find(fixture)
    #expect(Self.rows(plain.standardOutput) == Self.rows(all.standardOutput))
    #expect(!plain.standardError.contains("left out"))

    // Filters first: one event, left out.
    let one = try Self.find(fixture, "--base", fixture.base, "--xid", "699", "--kind", "commit")
    #expect(one.status == 0)
    #expect(one.standardOutput == "No matching events on timeline 1.\n")
    #expect(
      Self.lastLine(one.standardError)
        == "pitr: 1 event outside every restorable window of the backups left out (--all shows them)")
  }

  @Test func withoutAWindowEverythingIsLeftOutAndSaidSo() throws {
    let fixture = try Self.repository(timezones: [])
    defer { fixture.remove() }
    let result = try Self.find(fixture, "--base", fixture.base)
    #expect(result.status == 0, "\(result.standardError)")
    #expect(result.standardOutput == "No matching events on timeline 1.\n")
    #expect(
      Self.lastLine(result.standardError)
        == "pitr: warning: no backup in \(fixture.base) can restore along timeline 1, so all 6 "
        + "events were left out (--all shows them)")
  }

  /// Zone-less times are read in the backups' timezone: 702 committed at 20:00 on the 24th in
  /// Phoenix (03:00 on the 25th in UTC), so it is inside the Phoenix day 2025-12-24.
  @Test func timesWithoutAZoneAreReadInTheBackupsTimezone() throws {
    let fixture = try Self.repository()
    defer { fixture.remove() }
    let day = try Self.find(
      fixture, "--base", fixture.base, "--kind", "commit", "--from", "2025-12-24", "--to", "2025-12-25")
    #expect(day.status == 0, "\(day.standardError)")
    #expect(Self.rows(day.standardOutput) == ["commit 701", "commit 702"])
    let notes = day.standardError.split(separator: "\n").filter { $0.hasPrefix("pitr: note:") }
    #expect(
      notes == [
        "pitr: note: --from '2025-12-24' has no zone: read in the backups' timezone America/Phoenix = 2025-12-24 00:00:00-07",
        "pitr: note: --to '2025-12-25' has no zone: read in the backups' timezone America/Phoenix = 2025-12-25 00:00:00-07",
      ])

    // 10:01:30 in Phoenix is 17:01:30 UTC: after 701's commit, before the restore point.
    let after = try Self.find(fixture, "--base", fixture.base, "--from", "2025-12-24 10:01:30")
    #expect(Self.rows(after.standardOutput) == ["restore-point -", "commit 702"])
    // The same instant with a zone, and a zone given is used as given.
    let zoned = try Self.find(fixture, "--base", fixture.base, "--from", "2025-12-24 17:01:30+00")
    #expect(Self.rows(zoned.standardOutput) == ["restore-point -", "commit 702"])
    #expect(!zoned.standardError.contains("note:"))
    // A time with a zone needs no backups: midnight of the 25th in UTC is after 702 (03:00).
    let utc = try Self.find(fixture, "--kind", "commit", "--to", "2025-12-25 00:00 UTC")
    #expect(Self.rows(utc.standardOutput) == ["commit 699", "commit 701"])
  }

  @Test(arguments: [
    (
      [nil] as [String?],
      "has no zone and no backup's configuration sets timezone"
    ),
    (
      ["America/Phoenix", "Europe/Madrid"],
      "has no zone and the backups disagree on timezone (America/Phoenix, Europe/Madrid)"
    ),
    (["Mars/Olympus_Mons"], "has no zone and the backups' timezone 'Mars/Olympus_Mons' is not a zone pitr knows"),
  ])
  func aTimeWithoutAZoneNeedsOneTimezone(timezones: [String?], problem: String) throws {
    let fixture = try Self.repository(timezones: timezones)
    defer { fixture.remove() }
    let result = try Self.find(fixture, "--base", fixture.base, "--to", "2025-12-24 10:00")
    #expect(result.status == 64)
    #expect(
      result.standardError
        == "pitr: error: --to: '2025-12-24 10:00' \(problem); add the zone to the time (-07, UTC "
        + "or America/Phoenix)\n")
    #expect(result.standardOutput.isEmpty)
  }

  @Test func aBaseFolderThatDoesNotExistIsAUsageError() throws {
    let fixture = try Self.repository()
    defer { fixture.remove() }
    let missing = fixture.directory.file("nowhere")
    let result = try Self.find(fixture, "--base", missing)
    #expect(result.status == 64)
    #expect(result.standardError == "pitr: error: '\(missing)' is not a folder\n")
  }

  @Test func countsAreGroupedByThousands() {
    #expect(
      [0, 7, 999, 1000, 12_431, 1_234_567].map(WALFind.grouped) == ["0", "7", "999", "1,000", "12,431", "1,234,567"])
  }
}
