import Catalog
import Foundation
import PostgresVocabulary
import Testing
import WAL
import _PITRTestSupport

/// The catalog's `TimelineSegmentProvider` feeding the reader real WAL across a timeline
/// switch, as recovery reads it: along timeline 2, timeline 1's records up to the switch
/// point (from timeline 1's files, then from timeline 2's copy of the switch segment) and
/// timeline 2's after it, and nothing of the branch timeline 1 went on to write. `pg_waldump`
/// of each timeline's files is the oracle.
@Suite(.tags(.integration), .enabled(if: PostgresLab.isAvailable))
struct TimelineSegmentProviderTests {
  /// A record as both tools describe it.
  struct Seen: Hashable, CustomStringConvertible {
    var lsn: UInt64
    var previous: UInt64
    var length: Int
    var transactionID: UInt32
    var resourceManager: String

    var description: String {
      "\(LSN(rawValue: lsn)) \(resourceManager) len \(length) tx \(transactionID) "
        + "prev \(LSN(rawValue: previous))"
    }
  }

  /// pg_waldump's resource manager names, by id (PostgreSQL 15).
  static let resourceManagers = [
    "XLOG", "Transaction", "Storage", "CLOG", "Database", "Tablespace", "MultiXact", "RelMap",
    "Standby", "Heap2", "Heap", "Btree", "Hash", "Gin", "Gist", "Sequence", "SPGist", "BRIN",
    "CommitTs", "ReplicationOrigin", "Generic", "LogicalMessage",
  ]

  @Test func readingAlongTimeline2FollowsItsHistory() throws {
    let lab = try PostgresLab(name: "wal-tl-provider", archive: .gzipFlat)
    defer { lab.remove() }
    let scenario = try TimelineForkScenario.run(in: lab)
    let switchLSN = try #require(LSN(scenario.switchLSN)).rawValue
    let (archive, _) = Catalog.scanArchive(wal: [lab.archiveDirectory], cache: .disabled)
    let size = try #require(archive.segmentSize)
    let forkOn1 = try #require(WALSegmentName(scenario.forkWALFileOnTimeline1))
    let forkOn2 = try #require(WALSegmentName(scenario.forkWALFileOnTimeline2))
    // Start one segment before the switch, where only timeline 1 has a file.
    let before = try #require(forkOn1.advanced(by: -1, size: size))
    let start = try #require(before.segmentNumber(size: size))
    let names = Set(archive.segments.map(\.name))
    #expect(names.contains(before))
    #expect(!names.contains(WALSegmentName(timeline: TimelineID(2), segmentNumber: start, size: size)))

    let provider = try #require(
      TimelineSegmentProvider(archive: archive, timeline: TimelineID(2), startingAt: start))
    var ours: [Seen] = []
    var restorePoints: [String] = []
    let end = try WALReader(provider: provider).read { record in
      let previous = UInt64(littleEndian: record.bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
      ours.append(
        Seen(
          lsn: record.lsn.rawValue, previous: previous, length: record.length,
          transactionID: record.transactionID,
          resourceManager: Self.resourceManagers[Int(record.resourceManager)]))
      if case .restorePoint(let point)? = record.event { restorePoints.append(point.name) }
    }
    // Timeline 2's next segment is not archived yet: reading ends there.
    #expect(
      end.reason == .missingSegment(WALSegmentName(timeline: TimelineID(2), segmentNumber: start + 2, size: size)))

    let timeline1 = try lab.waldump([before.description, forkOn1.description], timeline: 1)
      .map(Self.seen)
    let timeline2 = try lab.waldump([forkOn2.description], timeline: 2).map(Self.seen)
    let expected =
      timeline1.filter { $0.lsn < switchLSN } + timeline2.filter { $0.lsn >= switchLSN }
    #expect(ours.count == expected.count)
    #expect(
      ours == expected,
      "first difference: \(zip(ours, expected).first { $0 != $1 }.map { "pitr \($0) / pg_waldump \($1)" } ?? "-")")
    // Timeline 1 wrote on past the switch point; none of that is read along timeline 2.
    let abandoned = timeline1.filter { $0.lsn >= switchLSN }
    #expect(abandoned.count >= 3)
    #expect(Set(ours).isDisjoint(with: abandoned), "\(Set(ours).intersection(abandoned))")
    #expect(restorePoints == ["before-fork", "fork", "after-fork"])
    #expect(ours.contains { $0.lsn == switchLSN })
  }

  static func seen(_ record: PostgresLab.WaldumpRecord) -> Seen {
    Seen(
      lsn: record.lsn, previous: record.previousLSN, length: record.totalLength,
      transactionID: record.transactionID, resourceManager: record.resourceManager)
  }
}
