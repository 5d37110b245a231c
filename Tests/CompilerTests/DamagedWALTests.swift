import Catalog
import Compiler
import Foundation
import PlanModel
import PostgresVocabulary
import Testing
import WAL
import _PITRTestSupport

/// A record or page that does not decode in the middle of the archived WAL ends the chain
/// PostgreSQL replays: the restorable window ends at the last valid record before it, and a
/// target past it is refused with the segment file, the LSN, the reason and the window left.
/// Zeros after the last record of the last segment are only the end of the WAL.
@Suite struct DamagedWALTests {
  static func segment(_ number: UInt64) -> WALSegmentName {
    WALSegmentName(timeline: TimelineID(1), segmentNumber: number, size: RepositoryFixture.segmentSize)
  }

  /// Commit 700 in segment 2, commits 701 and 702 in segment 3 (0/300100 on), commit 703 in
  /// segment 4 (0/400100), then WAL to segment 6; `damage` breaks it before it is written.
  static func repository(
    switchAtEnd: Bool = true,
    damage: ((inout WALSegmentBuilder, _ written: [(lsn: LSN, time: PostgresTimestamp)]) -> Void)?
  ) throws -> SyntheticRepository {
    try SyntheticRepository(
      events: [
        .commit(700), .skip(to: LSN("0/300100")!), .commit(701), .commit(702),
        .skip(to: LSN("0/400100")!), .commit(703),
      ], switchAtEnd: switchAtEnd, damage: damage)
  }

  /// Where reading stops when the header of the page at `page` is bad: at the record that
  /// runs onto it, else at the page.
  static func breakAt(page: LSN, in builder: WALSegmentBuilder) -> LSN {
    let spanning = builder.records.last { $0.lsn < page }
    if let spanning, spanning.end > page { return spanning.lsn }
    return page
  }

  /// The one window of backup b1 on timeline 1.
  static func window(_ repository: SyntheticRepository, cache: CatalogCache = .disabled) throws -> RestorableWindow {
    let catalog = Catalog.scan(base: repository.base, wal: [repository.wal], cache: cache)
    return try #require(catalog.windows.first { $0.backupID == "b1" && $0.timeline == TimelineID(1) })
  }

  private func firstError(_ marked: MarkedText, _ repository: SyntheticRepository) throws -> Diagnostic {
    let compilation = try #require(marked.compiled(repository))
    #expect(compilation.compiled == nil)
    #expect(compilation.errors.count == 1)
    return try #require(compilation.errors.first)
  }

  static func path(_ repository: SyntheticRepository, _ number: UInt64) -> String {
    "\(repository.wal)/\(segment(number)).gz"
  }

  static func damagedMessage(
    target: String, stop: LSN?, _ repository: SyntheticRepository, segment number: UInt64, at lsn: LSN,
    reason: String
  ) -> String {
    "the archived WAL on timeline 1 is damaged before the target \(target) is reached"
      + (stop.map { " (recovery would stop at \($0))" } ?? "") + ": segment \(segment(number)) ("
      + path(repository, number) + ") is damaged at \(lsn): \(reason); PostgreSQL's replay ends "
      + "at the last valid record before it and would fail with \"recovery ended before "
      + "configured recovery target was reached\""
  }

  static func notes(_ repository: SyntheticRepository, segment number: UInt64, at lsn: LSN, last: String) -> [String] {
    [
      "what is left is the restorable window of backup b1 on timeline 1, 0/200100 to \(lsn); "
        + last,
      "replace \(path(repository, number)) with an intact copy of segment \(segment(number)) "
        + "(from the source's pg_wal or another archive) and validate again, or target a point "
        + "before \(lsn)",
    ]
  }

  // MARK: - The refusal

  @Test func aTimeTargetPastABadChecksumIsRefusedWithTheSegmentTheLSNAndTheWindowLeft() throws {
    let repository = try Self.repository { builder, written in
      let record = written[2].lsn  // commit 702
      let byte = builder.bytes(at: LSN(rawValue: record.rawValue + 30), count: 1)[0]
      builder.patch([byte ^ 0xFF], at: LSN(rawValue: record.rawValue + 30))
    }
    defer { repository.remove() }
    let marked = markedPlan(repository, target: "  1️⃣time: \"2025-12-24 17:03:30+00\"")
    let error = try firstError(marked, repository)
    #expect(error.location == marked.at("1️⃣"))
    let damagedAt = repository.lsn(2)
    #expect(
      error.message
        == Self.damagedMessage(
          target: "time 2025-12-24 17:03:30+00", stop: repository.lsn(3), repository, segment: 3,
          at: damagedAt, reason: "record checksum (CRC-32C) mismatch"))
    #expect(
      error.notes.map(\.message)
        == Self.notes(
          repository, segment: 3, at: damagedAt,
          last: "the last transaction it reaches is 701, which ended at 2025-12-24 17:02:00+00"))

    // A target before the damage is reached as before.
    let before = markedPlan(repository, target: "  time: \"2025-12-24 17:01:30+00\"")
    let compiled = try #require(before.compiled(repository)?.compiled)
    #expect(compiled.prediction.stopMessage?.hasPrefix("recovery stopping before commit of transaction 701") == true)
  }

  @Test func everyKindOfTargetPastTheDamageIsRefused() throws {
    let repository = try Self.repository { builder, written in
      builder.patch(WALBytes.of(UInt32(16)), at: written[2].lsn)
    }
    defer { repository.remove() }
    let damagedAt = repository.lsn(2)
    let reason = "invalid record length: expected at least 24, got 16"
    let cases: [(String, String, LSN?)] = [
      ("latest: true", "latest (the end of the archived WAL)", nil),
      ("lsn: 0/400100", "LSN 0/400100", nil),
      ("xid: 703", "transaction 703", repository.lsn(3)),
      // 702 is in the unreadable part: not found, and said as damage, not as absent.
      ("xid: 702", "transaction 702", nil),
    ]
    for (target, described, stop) in cases {
      let marked = markedPlan(repository, target: "  1️⃣\(target)")
      let error = try firstError(marked, repository)
      #expect(error.location == marked.at("1️⃣"))
      #expect(
        error.message
          == Self.damagedMessage(
            target: described, stop: stop, repository, segment: 3, at: damagedAt, reason: reason))
    }
    // An LSN before the damage, and the last transaction before it, are reached.
    for target in ["lsn: \(repository.lsn(1))", "xid: 701"] {
      let marked = markedPlan(repository, target: "  \(target)")
      #expect(try #require(marked.compiled(repository)).compiled != nil)
    }
  }

  @Test func aRestorePointPastTheDamageIsRefused() throws {
    let repository = try SyntheticRepository(
      events: [
        .commit(700), .skip(to: LSN("0/300100")!), .commit(701), .restorePoint("before"),
        .skip(to: LSN("0/400100")!), .restorePoint("after"),
      ],
      damage: { builder, written in
        builder.patch(WALBytes.of(UInt64(0xDEAD0)), at: LSN(rawValue: written[2].lsn.rawValue + 8))
      })
    defer { repository.remove() }
    let marked = markedPlan(repository, target: "  1️⃣name: after")
    let error = try firstError(marked, repository)
    #expect(
      error.message
        == Self.damagedMessage(
          target: "restore point 'after'", stop: repository.lsn(3), repository, segment: 3,
          at: repository.lsn(2), reason: "record points back to 0/DEAD0, not \(repository.lsn(1))"))
    // The restore point whose record is the damaged one is not found past it either.
    let before = markedPlan(repository, target: "  1️⃣name: before")
    let beforeError = try firstError(before, repository)
    #expect(
      beforeError.message
        == Self.damagedMessage(
          target: "restore point 'before'", stop: nil, repository, segment: 3,
          at: repository.lsn(2), reason: "record points back to 0/DEAD0, not \(repository.lsn(1))"))
  }

  // MARK: - Where the chain breaks, and why

  /// A flipped byte at several places; each ends the window at the record (or page) that
  /// does not decode, named with its segment and in plain words.
  @Test(arguments: ["crc", "xl_prev", "length", "magic", "pageaddr", "boundary"])
  func theWindowEndsAtTheFirstRecordThatDoesNotDecode(place: String) throws {
    var expected: (lsn: LSN, segment: UInt64, reason: String)?
    let repository = try Self.repository { builder, written in
      let record = written[2].lsn
      let page = LSN("0/304000")!
      switch place {
      case "crc":
        let at = LSN(rawValue: record.rawValue + 24)
        builder.patch([builder.bytes(at: at, count: 1)[0] ^ 0x01], at: at)
        expected = (record, 3, "record checksum (CRC-32C) mismatch")
      case "xl_prev":
        builder.patch(WALBytes.of(UInt64(0x300000)), at: LSN(rawValue: record.rawValue + 8))
        expected = (record, 3, "record points back to 0/300000, not \(written[1].lsn)")
      case "length":
        builder.patch(WALBytes.of(UInt32(0xFFFF_FFF0)), at: record)
        expected = (record, 3, "record length 4294967280 is too long")
      case "magic":
        builder.patch(WALBytes.of(UInt16(0xD10D)), at: page)
        expected = (
          Self.breakAt(page: page, in: builder), 3,
          "invalid magic number D10D in WAL segment \(Self.segment(3)), LSN \(page)"
        )
      case "pageaddr":
        builder.patch(WALBytes.of(UInt64(0x2000)), at: LSN(rawValue: page.rawValue + 8))
        expected = (
          Self.breakAt(page: page, in: builder), 3,
          "unexpected pageaddr 0/2000 in WAL segment \(Self.segment(3)), LSN \(page)"
        )
      default:  // the first record that starts in segment 4, checked while segment 3 is read
        let first = builder.records.first { $0.lsn >= LSN("0/400000")! }!.lsn
        let previous = builder.records.last { $0.lsn < first }!.lsn
        builder.patch(WALBytes.of(UInt64(0x100)), at: LSN(rawValue: first.rawValue + 8))
        expected = (first, 4, "record points back to 0/100, not \(previous)")
      }
    }
    defer { repository.remove() }
    let want = try #require(expected)
    let window = try Self.window(repository)
    #expect(window.status == .restorable)
    #expect(window.end == want.lsn)
    #expect(window.firstMissingSegment == nil)
    #expect(window.lastSegment == Self.segment(want.segment))
    #expect(
      window.damage
        == WALDamage(
          segment: Self.segment(want.segment), path: Self.path(repository, want.segment), lsn: want.lsn,
          kind: window.damage?.kind ?? .checksum, reason: want.reason))
    #expect(window.lastTransaction?.transactionID == (want.lsn > repository.lsn(2) ? 702 : 701))

    let marked = markedPlan(repository, target: "  1️⃣latest: true")
    let error = try firstError(marked, repository)
    #expect(
      error.message
        == Self.damagedMessage(
          target: "latest (the end of the archived WAL)", stop: nil, repository, segment: want.segment,
          at: want.lsn, reason: want.reason))
  }

  @Test func aShortGzipSegmentIsDamageNotAMissingSegment() throws {
    var builder: WALSegmentBuilder?
    let repository = try Self.repository { wal, _ in builder = wal }
    defer { repository.remove() }
    // Segment 3 decompresses to 5 pages only.
    let bytes = try #require(builder).segmentFiles().first { $0.name == Self.segment(3) }!.bytes
    try Data(gzip(Array(bytes.prefix(5 * 8192)))).write(to: URL(fileURLWithPath: Self.path(repository, 3)))
    let page = LSN("0/30A000")!
    let at = Self.breakAt(page: page, in: try #require(builder))
    let reason = "\(Self.path(repository, 3)) ends after 40960 bytes"
    let window = try Self.window(repository)
    #expect(window.end == at)
    #expect(window.firstMissingSegment == nil)
    #expect(window.damage?.kind == .truncated)
    #expect(window.damage?.reason == reason)
    let marked = markedPlan(repository, target: "  1️⃣xid: 703")
    let error = try firstError(marked, repository)
    #expect(
      error.message
        == Self.damagedMessage(
          target: "transaction 703", stop: repository.lsn(3), repository, segment: 3, at: at,
          reason: reason))
  }

  @Test func damageBeforeTheBackupIsConsistentMakesItUnrestorable() throws {
    let repository = try SyntheticRepository(
      duringBackup: [.commit(600)], events: [.commit(700)],
      damage: { builder, written in
        let at = LSN(rawValue: written[0].lsn.rawValue + 24)
        builder.patch([builder.bytes(at: at, count: 1)[0] ^ 0x80], at: at)
      })
    defer { repository.remove() }
    let damagedAt = repository.lsn(0)
    let window = try Self.window(repository)
    #expect(window.status == .incomplete)
    #expect(window.end == damagedAt)
    let marked = markedPlan(repository, target: "  1️⃣latest: true")
    let error = try firstError(marked, repository)
    #expect(error.location == marked.at("1️⃣"))
    #expect(
      error.message
        == "backup b1 cannot be restored: segment \(Self.segment(2)) (\(Self.path(repository, 2))) "
        + "is damaged at \(damagedAt): record checksum (CRC-32C) mismatch, before the backup is "
        + "consistent (0/200100); PostgreSQL's replay ends at the last valid record before it and "
        + "would fail with \"WAL ends before end of online backup\"")
    #expect(
      error.notes.map(\.message)
        == [
          "replace \(Self.path(repository, 2)) with an intact copy of segment \(Self.segment(2)) "
            + "(from the source's pg_wal or another archive) and validate again, or target a "
            + "point before \(damagedAt)"
        ])
  }

  // MARK: - Not damage

  @Test func zerosAfterTheLastRecordOfTheLastSegmentAreTheEndOfTheWAL() throws {
    // No switch at the end: the last segment is zeros after its last record.
    let repository = try Self.repository(switchAtEnd: false, damage: nil)
    defer { repository.remove() }
    let window = try Self.window(repository)
    #expect(window.damage == nil)
    #expect(window.status == .restorable)
    #expect(window.end == repository.end)
    let marked = markedPlan(repository, target: "  latest: true")
    #expect(try #require(marked.compiled(repository)).compiled != nil)
  }

  // MARK: - The cache

  @Test func aSecondScanFindsTheDamageInTheCacheWithoutDecodingAgain() throws {
    let repository = try Self.repository { builder, written in
      builder.patch(WALBytes.of(UInt32(16)), at: written[2].lsn)
    }
    defer { repository.remove() }
    let directory = try TemporaryDirectory("damaged-cache")
    defer { directory.remove() }
    let first = CatalogCache(directory: directory.path, folders: [repository.wal])
    let firstWindow = try Self.window(repository, cache: first)
    #expect(first.misses > 0)
    let second = CatalogCache(directory: directory.path, folders: [repository.wal])
    let secondWindow = try Self.window(repository, cache: second)
    #expect(second.misses == 0)
    #expect(second.hits > 0)
    #expect(secondWindow == firstWindow)
    #expect(secondWindow.damage?.lsn == repository.lsn(2))
  }
}

extension DamagedWALTests {
  @Test func aShortPlainSegmentFileIsDamageNotAMissingSegment() throws {
    var builder: WALSegmentBuilder?
    let repository = try Self.repository { wal, _ in builder = wal }
    defer { repository.remove() }
    let bytes = try #require(builder).segmentFiles().first { $0.name == Self.segment(3) }!.bytes
    try FileManager.default.removeItem(atPath: Self.path(repository, 3))
    let plain = "\(repository.wal)/\(Self.segment(3))"
    try Data(bytes.prefix(8192)).write(to: URL(fileURLWithPath: plain))
    let reason = "\(plain) is 8192 bytes long, shorter than a segment (1 MiB)"
    let window = try Self.window(repository)
    #expect(window.firstMissingSegment == nil)
    #expect(
      window.damage
        == WALDamage(segment: Self.segment(3), path: plain, lsn: LSN("0/300000")!, kind: .truncated, reason: reason))
    #expect(window.end == LSN("0/300000")!)
    let marked = markedPlan(repository, target: "  1️⃣latest: true")
    let compilation = try #require(marked.compiled(repository))
    #expect(
      compilation.errors.map(\.message)
        == [
          "the archived WAL on timeline 1 is damaged before the target latest (the end of the "
            + "archived WAL) is reached: segment \(Self.segment(3)) (\(plain)) is damaged at "
            + "0/300000: \(reason); PostgreSQL's replay ends at the last valid record before it "
            + "and would fail with \"recovery ended before configured recovery target was reached\""
        ])
  }
}
