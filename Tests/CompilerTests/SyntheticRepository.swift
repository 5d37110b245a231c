import Foundation
import PostgresVocabulary
import WAL
import _PITRTestSupport

/// A backup repository for compiler tests, written record by record: backup `b1` starts at
/// 0/200028 (1 MiB segments) and is consistent at 0/200100; after it the WAL holds the
/// transactions and restore points a test asks for, at times one minute apart from
/// 2025-12-24 17:00:00 UTC.
struct SyntheticRepository {
  enum Event {
    case commit(UInt32)
    case abort(UInt32)
    case restorePoint(String)
    /// No record: the next event is written at this LSN or later (not counted by `time(_:)`
    /// and `lsn(_:)`).
    case skip(to: LSN)
  }

  static let startTime = PostgresTimestamp(microsecondsSince2000: 819_910_800_000_000)  // 2025-12-24 17:00:00+00

  let fixture: RepositoryFixture
  /// Each event's record, in order: its LSN and time.
  private(set) var written: [(lsn: LSN, time: PostgresTimestamp)] = []
  /// Where the archived WAL ends (the start of the first segment not written).
  private(set) var end = LSN.invalid

  /// - Parameters:
  ///   - duringBackup: events written before the backup is consistent.
  ///   - missing: segment numbers left out of the archive.
  ///   - trailingWAL: bytes of WAL written after the events, so windows reach past them.
  ///   - damage: changes the WAL's bytes before it is written (a flipped byte), given the
  ///     builder and this repository's events so far.
  init(
    backups: [RepositoryFixture.Backup] = [.init(id: "b1")], duringBackup: [Event] = [],
    events: [Event], missing: Set<UInt64> = [], switchAtEnd: Bool = true, trailingWAL: Int = 2 << 20,
    damage: ((inout WALSegmentBuilder, _ written: [(lsn: LSN, time: PostgresTimestamp)]) -> Void)? = nil
  ) throws {
    fixture = try RepositoryFixture()
    for backup in backups { try fixture.writeBackup(backup) }
    var builder = WALSegmentBuilder(
      major: 15, segmentSize: RepositoryFixture.segmentSize,
      systemIdentifier: RepositoryFixture.systemIdentifier, startSegment: 2)
    var minute: Int64 = 0
    func time() -> PostgresTimestamp {
      minute += 1
      return PostgresTimestamp(microsecondsSince2000: Self.startTime.microsecondsSince2000 + minute * 60_000_000)
    }
    func append(_ event: Event) {
      if case .skip(let lsn) = event {
        builder.pad(to: lsn)
        return
      }
      let when = time()
      let lsn: LSN
      switch event {
      case .commit(let xid): lsn = builder.append(.commit(xid: xid, WALTransactionEndSpec(time: when)))
      case .abort(let xid): lsn = builder.append(.abort(xid: xid, WALTransactionEndSpec(time: when)))
      case .restorePoint(let name): lsn = builder.append(.restorePoint(name: name, time: when))
      case .skip: return
      }
      written.append((lsn, when))
    }
    duringBackup.forEach(append)
    builder.pad(to: LSN(rawValue: 0x20_0100))
    events.forEach(append)
    builder.append(.filler(totalLength: trailingWAL))
    if switchAtEnd { builder.append(.switchSegment()) }
    damage?(&builder, written)
    let all = builder.segmentFiles().compactMap { $0.name.segmentNumber(size: RepositoryFixture.segmentSize) }
    let kept = Set(all).subtracting(missing)
    try builder.write(to: fixture.wal, compressed: true, segments: kept)
    end = RepositoryFixture.segmentSize.startLSN(ofSegment: (all.max() ?? 0) + 1)
  }

  /// The time of the n-th event (0-based) as PostgreSQL prints it.
  func time(_ index: Int) -> PostgresTimestamp { written[index].time }
  /// The same time as the restored server prints it: in the fixture's timezone,
  /// America/Phoenix (`2025-12-24 10:02:00-07`).
  func serverTime(_ index: Int) -> String {
    written[index].time.formatted(in: TimeZone(identifier: "America/Phoenix")!)
  }
  func lsn(_ index: Int) -> LSN { written[index].lsn }

  var base: String { fixture.base }
  var wal: String { fixture.wal }

  func remove() { fixture.remove() }
}
