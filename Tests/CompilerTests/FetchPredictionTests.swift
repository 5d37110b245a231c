import Compiler
import PlanModel
import PostgresVocabulary
import Testing
import _PITRTestSupport

/// "WAL to fetch" counts the segments of the range it prints: archive recovery asks
/// restore_command first, so every segment the archive has is fetched, those the backup
/// carries included; only carried ones the archive lacks come from pg_wal, and it says so.
@Suite struct FetchPredictionTests {
  private func prediction(_ repository: SyntheticRepository) throws -> Prediction {
    let yaml = planText(base: repository.base, wal: repository.wal, target: "  latest: true")
    return try #require(compile(yaml, base: repository.base, wal: [repository.wal])?.compiled).prediction
  }

  private static func segment(_ number: UInt64) -> WALSegmentName {
    WALSegmentName(timeline: TimelineID(1), segmentNumber: number, size: RepositoryFixture.segmentSize)
  }

  @Test func segmentsTheBackupCarriesAreFetchedWhenTheArchiveHasThem() throws {
    let repository = try SyntheticRepository(
      backups: [.init(id: "b1", includedSegments: ["000000010000000000000002"])],
      events: [.commit(700)])
    defer { repository.remove() }
    let prediction = try prediction(repository)
    #expect(prediction.segmentsFromBackup == nil)
    #expect(prediction.segmentsToFetch == 3)
    #expect(prediction.firstSegment == Self.segment(2))
    #expect(prediction.lastSegment == Self.segment(4))
    #expect(
      prediction.fetchDescription()
        == "3 segments (3.0 MiB), 000000010000000000000002 to 000000010000000000000004")
  }

  @Test func aSegmentOnlyTheBackupCarriesIsCountedApartAndNamed() throws {
    let repository = try SyntheticRepository(
      backups: [.init(id: "b1", includedSegments: ["000000010000000000000002"])],
      events: [.commit(700)], missing: [2])
    defer { repository.remove() }
    let prediction = try prediction(repository)
    #expect(prediction.segmentsFromBackup == [Self.segment(2)])
    #expect(prediction.segmentsToFetch == 2)
    #expect(prediction.segmentsRead == 3)
    #expect(
      prediction.fetchDescription()
        == "2 of the 3 segments 000000010000000000000002 to 000000010000000000000004 (2.0 MiB); "
        + "000000010000000000000002 comes with the backup (not in the archive)")
    #expect(
      prediction.fetchDescription(noun: "WAL segment")
        == "2 of the 3 WAL segments 000000010000000000000002 to 000000010000000000000004 (2.0 MiB); "
        + "000000010000000000000002 comes with the backup (not in the archive)")
  }
}
