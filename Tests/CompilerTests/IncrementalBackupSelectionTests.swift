import Compiler
import PlanModel
import PostgresVocabulary
import Testing
import _PITRTestSupport

/// Incremental backups (17+) are never restored alone: `auto` and `latest` pass over them,
/// and naming one in `backups.select` is an error that says what it needs.
@Suite struct IncrementalBackupSelectionTests {
  static let b2Problem =
    "an incremental backup (INCREMENTAL FROM LSN 0/200028 on timeline 1), which cannot be "
    + "restored alone: pg_combinebackup must first combine its chain b1, b2 (full backup first) "
    + "into a full backup, which pitr does not do yet"

  /// b1 full at 0/200028; b2, newer, incremental from b1; commit 700 after both.
  private func repository(full: Bool = true) throws -> SyntheticRepository {
    var b2 = RepositoryFixture.Backup(id: "b2", start: "0/300028", checkpoint: "0/300060")
    b2.incrementalFrom = ("0/200028", 1)
    return try SyntheticRepository(
      backups: (full ? [.init(id: "b1")] : []) + [b2],
      events: [.skip(to: LSN(rawValue: 0x30_0200)), .commit(700)])
  }

  @Test func autoPassesOverTheNewestBackupWhenItIsIncremental() throws {
    let repository = try repository()
    defer { repository.remove() }
    let compiled = try #require(
      markedPlan(repository, target: "  latest: true").compiled(repository)?.compiled)
    #expect(compiled.backup.id == "b1")
    #expect(compiled.backup.reason == "the newest backup from which recovery reaches the target")
    #expect(compiled.alternatives.map(\.id) == ["b2"])
    #expect(compiled.alternatives.map(\.verdict) == [Self.b2Problem])
    let resolver = StepResolver(
      pitrExecutable: "/usr/local/bin/pitr", binDirectory: "/usr/lib/postgresql/15/bin", serverUser: nil)
    let text = PlanText.render(compiled, resolver: resolver)
    #expect(text.contains("\n  not b2: \(Self.b2Problem)\n"))
  }

  @Test func latestTakesTheNewestFullBackup() throws {
    let repository = try repository()
    defer { repository.remove() }
    let compiled = try #require(
      markedPlan(repository, select: "latest", target: "  latest: true").compiled(repository)?
        .compiled)
    #expect(compiled.backup.id == "b1")
    #expect(
      compiled.backup.reason
        == "the newest full backup (select: latest); newer incremental backups cannot be restored alone")
    #expect(compiled.alternatives.map(\.verdict) == [Self.b2Problem])
  }

  @Test func selectingAnIncrementalBackupIsAnErrorSayingWhatItNeeds() throws {
    let repository = try repository()
    defer { repository.remove() }
    let marked = markedPlan(repository, select: "1️⃣b2", target: "  latest: true")
    let compilation = try #require(marked.compiled(repository))
    #expect(compilation.compiled == nil)
    #expect(compilation.errors.map(\.location) == [marked.at("1️⃣")])
    #expect(
      compilation.errors.map(\.message) == [
        "backup b2 is \(Self.b2Problem); select a full backup (b1) or 'select: auto'"
      ])
  }

  @Test func onlyIncrementalBackupsIsAnError() throws {
    let repository = try repository(full: false)
    defer { repository.remove() }
    for select in ["auto", "latest"] {
      let marked = markedPlan(repository, select: select, target: "  latest: true")
      let compilation = try #require(marked.compiled(repository))
      #expect(compilation.compiled == nil)
      #expect(compilation.errors.map(\.location) == [marked.at("8️⃣")])
      #expect(
        compilation.errors.map(\.message) == [
          "every base backup of the WAL archive's cluster (7711019213718305796) in "
            + "\(repository.base) is incremental, and pitr cannot restore an incremental backup "
            + "alone; take a full base backup (pg_basebackup without --incremental)"
        ])
      #expect(
        compilation.errors.flatMap(\.notes).map(\.message) == [
          "backup b2: an incremental backup (INCREMENTAL FROM LSN 0/200028 on timeline 1), which "
            + "cannot be restored alone: its chain is incomplete, no backup of its cluster in "
            + "\(repository.base) starts at 0/200028 on timeline 1"
        ])
    }
    // By id, with no full backup to suggest.
    let marked = markedPlan(repository, select: "1️⃣b2", target: "  latest: true")
    let compilation = try #require(marked.compiled(repository))
    #expect(compilation.errors.map(\.location) == [marked.at("1️⃣")])
    #expect(
      compilation.errors.map(\.message) == [
        "backup b2 is an incremental backup (INCREMENTAL FROM LSN 0/200028 on timeline 1), which "
          + "cannot be restored alone: its chain is incomplete, no backup of its cluster in "
          + "\(repository.base) starts at 0/200028 on timeline 1; take a full base backup "
          + "(pg_basebackup without --incremental)"
      ])
  }
}
