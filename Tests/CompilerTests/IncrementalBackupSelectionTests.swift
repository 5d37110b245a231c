import Catalog
import Compiler
import PlanModel
import PostgresVocabulary
import Testing
import _PITRTestSupport

/// Incremental backups (17+) are restored with their chain (full backup first), combined by
/// pg_combinebackup: `auto` and `latest` choose a chain whose links are all there and pass
/// over one with a missing link, and naming a broken one is an error naming what is missing.
@Suite struct IncrementalBackupSelectionTests {
  /// b3, incremental from 0/180028, where no backup starts.
  static func brokenProblem(_ base: String) -> String {
    "an incremental backup (INCREMENTAL FROM LSN 0/180028 on timeline 1) whose chain is broken: "
      + "the backup b3 builds on is missing, no backup of its cluster in \(base) starts at 0/180028 "
      + "on timeline 1"
  }

  /// b1 full at 0/200028; b2, newer, incremental from b1; with `broken`, b3, newer still,
  /// incremental from a backup that is not there; commit 700 after them all.
  func repository(full: Bool = true, broken: Bool = false) throws -> SyntheticRepository {
    var b2 = RepositoryFixture.Backup(id: "b2", start: "0/300028", checkpoint: "0/300060")
    b2.incrementalFrom = ("0/200028", 1)
    var b3 = RepositoryFixture.Backup(id: "b3", start: "0/400028", checkpoint: "0/400060")
    b3.incrementalFrom = ("0/180028", 1)
    return try SyntheticRepository(
      backups: (full ? [.init(id: "b1"), b2] : [b2]) + (broken ? [b3] : []),
      events: [.skip(to: LSN(rawValue: 0x40_0200)), .commit(700)])
  }

  @Test func autoChoosesTheNewestChainAndCombinesIt() throws {
    let repository = try repository()
    defer { repository.remove() }
    let compiled = try #require(
      markedPlan(repository, target: "  latest: true").compiled(repository)?.compiled)
    #expect(compiled.backup.id == "b2")
    #expect(compiled.backup.reason == "the newest backup, and recovery from it reaches the target")
    #expect(compiled.alternatives.map(\.id) == ["b1"])
    #expect(compiled.alternatives.map(\.verdict) == ["in the chosen backup's chain (combined by pg_combinebackup)"])
    let kinds = compiled.graph.ordered.map(\.kind)
    #expect(kinds.contains(.combineBackups))
    #expect(!kinds.contains(.extractBase))
    let step = try #require(compiled.graph.ordered.first { $0.kind == .combineBackups })
    guard case .combineBackups(let combine) = step.action else {
      Issue.record("not a combine step: \(step.action)")
      return
    }
    #expect(combine.backups.map(\.id) == ["b1", "b2"])
    #expect(combine.staging == "/srv/restore-test.pitr/combine")
    #expect(
      combine.backups.map(\.stagingFolder) == [
        "/srv/restore-test.pitr/combine/b1", "/srv/restore-test.pitr/combine/b2",
      ])
    let resolver = StepResolver(
      pitrExecutable: "/usr/local/bin/pitr", binDirectory: "/usr/lib/postgresql/17/bin", serverUser: "postgres")
    #expect(
      resolver.commandLine(of: step) == [
        "/usr/sbin/runuser", "-u", "postgres", "--", "/usr/lib/postgresql/17/bin/pg_combinebackup", "-o",
        "/srv/restore-test", "--copy", "--no-sync", "/srv/restore-test.pitr/combine/b1",
        "/srv/restore-test.pitr/combine/b2",
      ])
    #expect(step.details.first == "the chain, full backup first: b1 -> b2")
    #expect(step.details.contains { $0.hasPrefix("space: ") && $0.contains(" staged, up to ") })
    let text = PlanText.render(compiled, resolver: resolver)
    #expect(text.contains("pg_combinebackup -o /srv/restore-test --copy --no-sync"))
  }

  @Test func autoPassesOverABrokenChainAndSaysWhy() throws {
    let repository = try repository(broken: true)
    defer { repository.remove() }
    let compiled = try #require(
      markedPlan(repository, target: "  latest: true").compiled(repository)?.compiled)
    #expect(compiled.backup.id == "b2")
    #expect(compiled.backup.reason == "the newest backup from which recovery reaches the target")
    #expect(compiled.alternatives.map(\.id) == ["b3", "b1"])
    #expect(compiled.alternatives.first?.verdict == Self.brokenProblem(repository.base))
    let resolver = StepResolver(
      pitrExecutable: "/usr/local/bin/pitr", binDirectory: "/usr/lib/postgresql/17/bin", serverUser: nil)
    let text = PlanText.render(compiled, resolver: resolver)
    #expect(text.contains("\n  not b3: \(Self.brokenProblem(repository.base))\n"))
  }

  @Test func latestTakesTheNewestRestorableBackup() throws {
    let repository = try repository(broken: true)
    defer { repository.remove() }
    let compiled = try #require(
      markedPlan(repository, select: "latest", target: "  latest: true").compiled(repository)?
        .compiled)
    #expect(compiled.backup.id == "b2")
    #expect(
      compiled.backup.reason
        == "the newest restorable backup (select: latest); the chains of newer incremental backups are broken")
  }

  @Test func selectingAGoodChainChoosesIt() throws {
    let repository = try repository(broken: true)
    defer { repository.remove() }
    let compiled = try #require(
      markedPlan(repository, select: "b2", target: "  latest: true").compiled(repository)?.compiled)
    #expect(compiled.backup.id == "b2")
    #expect(compiled.graph.ordered.contains { $0.kind == .combineBackups })
  }

  @Test func selectingABrokenChainIsAnErrorNamingWhatIsMissing() throws {
    let repository = try repository(broken: true)
    defer { repository.remove() }
    let marked = markedPlan(repository, select: "1️⃣b3", target: "  latest: true")
    let compilation = try #require(marked.compiled(repository))
    #expect(compilation.compiled == nil)
    #expect(compilation.errors.map(\.location) == [marked.at("1️⃣")])
    #expect(
      compilation.errors.map(\.message) == [
        "backup b3 is \(Self.brokenProblem(repository.base)); select one of b2, b1 or 'select: auto'"
      ])
  }

  @Test func onlyBrokenChainsIsAnError() throws {
    let repository = try repository(full: false)
    defer { repository.remove() }
    let problem =
      "an incremental backup (INCREMENTAL FROM LSN 0/200028 on timeline 1) whose chain is broken: the "
      + "backup b2 builds on is missing, no backup of its cluster in \(repository.base) starts at "
      + "0/200028 on timeline 1"
    for select in ["auto", "latest"] {
      let marked = markedPlan(repository, select: select, target: "  latest: true")
      let compilation = try #require(marked.compiled(repository))
      #expect(compilation.compiled == nil)
      #expect(compilation.errors.map(\.location) == [marked.at("8️⃣")])
      #expect(
        compilation.errors.map(\.message) == [
          "every base backup of the WAL archive's cluster (7711019213718305796) in "
            + "\(repository.base) is an incremental backup whose chain is broken, and an incremental "
            + "backup cannot be restored without the backups it builds on; take a full base backup "
            + "(pg_basebackup without --incremental)"
        ])
      #expect(compilation.errors.flatMap(\.notes).map(\.message) == ["backup b2: \(problem)"])
    }
    // By id, with no restorable backup to suggest.
    let marked = markedPlan(repository, select: "1️⃣b2", target: "  latest: true")
    let compilation = try #require(marked.compiled(repository))
    #expect(compilation.errors.map(\.location) == [marked.at("1️⃣")])
    #expect(
      compilation.errors.map(\.message) == [
        "backup b2 is \(problem); take a full base backup (pg_basebackup without --incremental)"
      ])
  }

  @Test func theFreeSpaceCheckCountsTheStagedChainAndTheCombinedResult() throws {
    let repository = try repository()
    defer { repository.remove() }
    let marked = markedPlan(
      repository, target: "  latest: true",
      destination: "  data_directory: 1️⃣/srv/restore-test\n  port: 5599\n  os_user: postgres")
    let catalog = repository.fixture.scan()
    let b2 = try #require(catalog.backups.first { $0.id == "b2" })
    let space = try #require(CombineSpace(chain: catalog.chain(of: b2).backups))
    // Room for the staged chain, but not for it and the combined result.
    var environment = FixedEnvironment()
    environment.free = space.staging + 1
    let compilation = try #require(marked.compiled(repository, environment: environment))
    #expect(compilation.compiled == nil)
    #expect(compilation.errors.map(\.location) == [marked.at("1️⃣")])
    #expect(
      compilation.errors.map(\.message) == [
        "the chain b1, b2 needs \(ByteCount.describe(space.total)) (\(ByteCount.describe(space.staging)) to "
          + "extract it beside the data directory, up to \(ByteCount.describe(space.result)) for what "
          + "pg_combinebackup writes), but only \(ByteCount.describe(space.staging + 1)) is free where "
          + "'/srv/restore-test' would be"
      ])
  }
}

extension IncrementalBackupSelectionTests {
  @Test func combineModeChoosesPgCombinebackupsOption() throws {
    let repository = try repository()
    defer { repository.remove() }
    let marked = markedPlan(
      repository, target: "  latest: true",
      destination: "  data_directory: /srv/restore-test\n  port: 5599\n  os_user: postgres\n  combine_mode: clone")
    let compiled = try #require(marked.compiled(repository)?.compiled)
    let step = try #require(compiled.graph.ordered.first { $0.kind == .combineBackups })
    #expect(step.command?.contains(.literal("--clone")) == true)
    #expect(step.command?.contains(.literal("--copy")) == false)
  }

  @Test func linkNeedsPostgreSQL18() throws {
    let repository = try repository()
    defer { repository.remove() }
    let marked = markedPlan(
      repository, target: "  latest: true",
      destination: "  data_directory: /srv/restore-test\n  port: 5599\n  os_user: postgres\n  combine_mode: 1️⃣link")
    let compilation = try #require(marked.compiled(repository))
    #expect(compilation.compiled == nil)
    #expect(compilation.errors.map(\.location) == [marked.at("1️⃣")])
    #expect(
      compilation.errors.map(\.message) == [
        "combine_mode: link needs pg_combinebackup 18 or later (--link), but backup b2 is PostgreSQL 15; "
          + "use copy, copy-file-range or clone"
      ])
  }
}
