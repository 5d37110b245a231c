import Compiler
import PlanModel
import PostgresVocabulary
import Testing
import _PITRTestSupport

/// System identifiers agree: a backup of another cluster is never chosen, and an archive
/// holding segments of several clusters is refused unless the plan says which one.
@Suite struct ClusterIdentityTests {
  private static let ours = RepositoryFixture.systemIdentifier
  private static let theirs: UInt64 = 42

  /// b1 of the archive's cluster; b2, newer, of another.
  private func repository() throws -> SyntheticRepository {
    try SyntheticRepository(
      backups: [
        .init(id: "b1"),
        .init(id: "b2", start: "0/300028", checkpoint: "0/300060", systemIdentifier: Self.theirs),
      ],
      events: [.commit(700), .commit(701)])
  }

  @Test func autoSkipsABackupOfAnotherClusterAndSaysWhy() throws {
    let repository = try repository()
    defer { repository.remove() }
    let compiled = try #require(markedPlan(repository, target: "  latest: true").compiled(repository)?.compiled)
    #expect(compiled.backup.id == "b1")
    #expect(compiled.backup.reason == "the newest backup from which recovery reaches the target")
    #expect(compiled.alternatives.map(\.id) == ["b2"])
    #expect(
      compiled.alternatives.map(\.verdict) == [
        "comes from another cluster: system identifier 42, while the WAL archive's is \(Self.ours)"
      ])
  }

  @Test func latestIsTheNewestBackupOfTheCluster() throws {
    let repository = try repository()
    defer { repository.remove() }
    let compiled = try #require(
      markedPlan(repository, select: "latest", target: "  latest: true").compiled(repository)?.compiled)
    #expect(compiled.backup.id == "b1")
    #expect(
      compiled.backup.reason
        == "the newest backup of the WAL archive's cluster (\(Self.ours)), with select: latest")
    #expect(
      compiled.alternatives.map(\.verdict) == [
        "comes from another cluster: system identifier 42, while the WAL archive's is \(Self.ours)"
      ])
  }

  @Test func selectingABackupOfAnotherClusterIsAnError() throws {
    let repository = try repository()
    defer { repository.remove() }
    let marked = markedPlan(repository, select: "1️⃣b2", target: "  latest: true")
    let compilation = try #require(marked.compiled(repository))
    #expect(compilation.compiled == nil)
    #expect(compilation.errors.map(\.location) == [marked.at("1️⃣")])
    #expect(
      compilation.errors.map(\.message) == [
        "backup b2 comes from another cluster: system identifier 42, while the WAL archive's is "
          + "\(Self.ours); a restore needs the backup and the WAL of one cluster: select b1 "
          + "(cluster \(Self.ours)) or 'select: auto'"
      ])
  }

  @Test func theSourcesIdentifierDecidesWhenTheArchiveAgrees() throws {
    let repository = try repository()
    defer { repository.remove() }
    let marked = markedPlan(
      repository, select: "1️⃣b2", target: "  latest: true",
      source: "source:\n  system_identifier: 2️⃣\"\(Self.ours)\"\n")
    let compilation = try #require(marked.compiled(repository))
    #expect(compilation.errors.map(\.location) == [marked.at("1️⃣")])
    #expect(
      compilation.errors.map(\.message) == [
        "backup b2 comes from another cluster: system identifier 42, while "
          + "source.system_identifier is \(Self.ours); a restore needs the backup and the WAL of "
          + "one cluster: select b1 (cluster \(Self.ours)) or 'select: auto'"
      ])
    let warning = try #require(compilation.diagnostics.first { $0.severity == .warning })
    #expect(warning.location == marked.at("2️⃣"))
    #expect(warning.message == "backup b2 comes from the cluster 42, not \(Self.ours); it will not be chosen")

    let auto = markedPlan(
      repository, target: "  latest: true", source: "source:\n  system_identifier: \"\(Self.ours)\"\n")
    let compiled = try #require(auto.compiled(repository)?.compiled)
    #expect(compiled.backup.id == "b1")
    #expect(
      compiled.alternatives.map(\.verdict) == [
        "comes from another cluster: system identifier 42, while source.system_identifier is \(Self.ours)"
      ])
  }

  @Test func theOnlyBackupOfTheClusterGivesItsOwnReason() throws {
    let repository = try repository()
    defer { repository.remove() }
    let marked = markedPlan(repository, target: "  1️⃣time: \"2025-12-24 18:00:00+00\"")
    let compilation = try #require(marked.compiled(repository))
    let error = try #require(compilation.errors.first)
    #expect(compilation.errors.count == 1)
    #expect(error.location == marked.at("1️⃣"))
    #expect(
      error.message
        == "the archived WAL on timeline 1 ends at \(repository.end) before the target time "
        + "2025-12-24 18:00:00+00 is reached: PostgreSQL would fail with \"recovery ended before "
        + "configured recovery target was reached\"")
    #expect(
      error.notes.map(\.message).last
        == "backup b2 comes from another cluster: system identifier 42, while the WAL archive's is \(Self.ours)")
  }

  @Test func noBackupOfTheClusterIsAnErrorAtTheBackupFolder() throws {
    let repository = try SyntheticRepository(
      backups: [.init(id: "b1", systemIdentifier: Self.theirs)], events: [.commit(700)])
    defer { repository.remove() }
    for select in ["auto", "latest"] {
      let marked = markedPlan(repository, select: select, target: "  latest: true")
      let compilation = try #require(marked.compiled(repository))
      #expect(compilation.compiled == nil)
      let error = try #require(compilation.errors.first)
      #expect(compilation.errors.count == 1)
      #expect(error.location == marked.at("8️⃣"))
      #expect(
        error.message
          == "no base backup in \(repository.base) comes from the WAL archive's cluster "
          + "(\(Self.ours)); take a base backup of that cluster, or set backups.base to where its "
          + "backups are")
      #expect(
        error.notes.map(\.message) == [
          "backup b1 comes from another cluster: system identifier 42, while the WAL archive's is \(Self.ours)"
        ])
    }
    let byID = markedPlan(repository, select: "1️⃣b1", target: "  latest: true")
    let error = try #require(byID.compiled(repository)?.errors.first)
    #expect(error.location == byID.at("1️⃣"))
    #expect(
      error.message
        == "backup b1 comes from another cluster: system identifier 42, while the WAL archive's is "
        + "\(Self.ours); a restore needs the backup and the WAL of one cluster: no backup in "
        + "\(repository.base) comes from cluster \(Self.ours); take a base backup of it")
  }

  // MARK: - Segments of several clusters

  /// The synthetic WAL, plus segments of cluster 42 from segment 0x20 on.
  private func mixedRepository(foreignSegments count: UInt64) throws -> SyntheticRepository {
    let repository = try SyntheticRepository(events: [.commit(700)])
    for number in 0x20..<0x20 + count {
      let name = WALSegmentName(timeline: TimelineID(1), segmentNumber: number, size: RepositoryFixture.segmentSize)
      try repository.fixture.writeSegment(
        name.description,
        bytes: RepositoryFixture.segmentBytes(name.description, systemIdentifier: Self.theirs))
    }
    return repository
  }

  @Test func anArchiveOfSeveralClustersNeedsTheSourcesIdentifier() throws {
    let repository = try mixedRepository(foreignSegments: 1)
    defer { repository.remove() }
    let ourSegments = repository.fixture.scan().archive.segments.count
    let marked = markedPlan(repository, target: "  latest: true")
    let compilation = try #require(marked.compiled(repository))
    #expect(compilation.compiled == nil)
    #expect(compilation.errors.map(\.location) == [marked.at("9️⃣")])
    #expect(
      compilation.errors.map(\.message) == [
        "the WAL archive holds segments of 2 clusters: \(ourSegments) of \(Self.ours), 1 of 42; "
          + "pitr does not guess which one to restore: set source.system_identifier to "
          + "\(Self.ours) to restore that cluster (the others' segments are left out), or move the "
          + "segments of the clusters you do not restore out of the archive"
      ])

    // Said which: the other cluster's segment is left out, and the plan compiles.
    let said = markedPlan(
      repository, target: "  latest: true", source: "source:\n  system_identifier: \"\(Self.ours)\"\n")
    let compiled = try #require(said.compiled(repository)?.compiled)
    #expect(compiled.backup.id == "b1")
  }

  @Test func theLessCommonClusterOfAnArchiveCannotBeRestored() throws {
    let repository = try mixedRepository(foreignSegments: 8)
    defer { repository.remove() }
    let ourSegments = repository.fixture.scan().archive.otherClusterSegments?.count ?? 0
    #expect(ourSegments < 8)
    let marked = markedPlan(
      repository, target: "  latest: true", source: "source:\n  system_identifier: 1️⃣\"\(Self.ours)\"\n")
    let compilation = try #require(marked.compiled(repository))
    #expect(compilation.compiled == nil)
    let error = try #require(compilation.errors.first)
    #expect(error.location == marked.at("1️⃣"))
    #expect(
      error.message
        == "the WAL archive holds segments of 2 clusters: 8 of 42, \(ourSegments) of \(Self.ours); "
        + "pitr reads only the most common one's (42), so it cannot restore \(Self.ours) from it: "
        + "move the other clusters' segments out of the archive, or fix system_identifier")
  }
}
