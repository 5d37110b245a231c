import Foundation
import PostgresVocabulary
import Testing
import _PITRTestSupport

@testable import Catalog
@testable import PITRCommands
@testable import WAL

/// `pitr wal find`'s table, formatted as bytes for speed, must be byte for byte what the
/// `String` version (`ReferenceWALFindReport.render`) printed: for every kind of event, cells wider
/// than their column, missing cells, non-ASCII names, and a million-row-like stream that
/// crosses chunks.
@Suite struct WALFindTableTests {
  static func bytes(_ events: [FoundEvent]) -> [UInt8] {
    var output: [UInt8] = []
    WALFindTable.render(events, timeline: TimelineID(3)) { output.append(contentsOf: $0) }
    return output
  }

  static func reference(_ events: [FoundEvent]) throws -> [UInt8] {
    var output = ""
    let result = WALSearch.Result(
      events: events, end: EndOfWAL(reason: .zeroLength, lsn: .invalid, segment: nil))
    ReferenceWALFindReport.render(result, timeline: TimelineID(3)) { output += $0 }
    return Array(output.utf8)
  }

  static func expectSameBytes(_ events: [FoundEvent]) throws {
    let ours = bytes(events)
    let theirs = try reference(events)
    guard ours != theirs else { return }
    let ourLines = String(decoding: ours, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
    let theirLines = String(decoding: theirs, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
    let line =
      (0..<min(ourLines.count, theirLines.count)).first { ourLines[$0] != theirLines[$0] }
      ?? min(ourLines.count, theirLines.count)
    Issue.record(
      """
      line \(line + 1) differs (\(ours.count) against \(theirs.count) bytes):
      bytes:  \(line < ourLines.count ? String(ourLines[line]) : "<none>")
      String: \(line < theirLines.count ? String(theirLines[line]) : "<none>")
      """)
  }

  @Test func searchResultsOfEveryKind() throws {
    let wal = try WALSearchTests.write()
    defer { wal.directory.remove() }
    let events = try wal.search(WALSearch.Criteria())
    #expect(events.count == 11)
    try Self.expectSameBytes(events)
  }

  @Test func oddCells() throws {
    try Self.expectSameBytes(Self.oddEvents())
    try Self.expectSameBytes([])
    #expect(String(decoding: Self.bytes([]), as: UTF8.self) == "No matching events on timeline 3.\n")
  }

  /// Events of every kind with cells wider than their column, missing cells, extreme values
  /// and non-ASCII names.
  static func oddEvents() -> [FoundEvent] {
    let segment = WALSegmentName("00000003000000A0000000FF")!
    let committed = FoundEvent.TransactionEnd(
      outcome: .commit, transactionID: 4_294_967_295,
      time: PostgresTimestamp(microsecondsSince2000: -1), lsn: LSN(rawValue: .max), prepared: true)
    let aborted = FoundEvent.TransactionEnd(
      outcome: .abort, transactionID: 9, time: PostgresTimestamp(microsecondsSince2000: 0),
      lsn: LSN(rawValue: 0x1_0000_0000), prepared: false)
    let relation = RelationFileLocator(tablespace: 4_000_000_000, database: 5, relation: 6)
    return [
      FoundEvent(
        kind: .commit, lsn: .invalid, segment: segment, transactionID: 0,
        time: committed.time, transactionEnd: committed),
      FoundEvent(
        kind: .abort, lsn: LSN(rawValue: .max), segment: segment, transactionID: 4_294_967_295,
        time: PostgresTimestamp(microsecondsSince2000: 1_000_000), transactionEnd: aborted),
      FoundEvent(
        kind: .restorePoint, lsn: LSN(rawValue: 0xABC_DEF0_1234), segment: segment,
        time: PostgresTimestamp(microsecondsSince2000: 817_041_600_123_400), restorePoint: "après l'accident \"2\" ✓"),
      FoundEvent(kind: .restorePoint, lsn: LSN(rawValue: 1), segment: segment, restorePoint: ""),
      FoundEvent(kind: .restorePoint, lsn: LSN(rawValue: 2), segment: segment, restorePoint: "  spaces  "),
      FoundEvent(
        kind: .insert, lsn: LSN(rawValue: 3), segment: segment, transactionID: 12,
        relation: relation, block: 4_294_967_295, rows: 1000, transactionEnd: committed),
      FoundEvent(
        kind: .update, lsn: LSN(rawValue: 4), segment: segment, transactionID: 1,
        relation: relation, block: 0, rows: 1, transactionEnd: aborted),
      FoundEvent(kind: .delete, lsn: LSN(rawValue: 5), segment: segment, transactionID: 2),
      FoundEvent(
        kind: .truncate, lsn: LSN(rawValue: 6), segment: segment, transactionID: 3,
        rows: 0, truncatedTables: [16_386, 16_390, 7], transactionEnd: committed),
      FoundEvent(
        kind: .truncate, lsn: LSN(rawValue: 7), segment: segment, transactionID: 3,
        truncatedTables: [], transactionEnd: aborted),
      FoundEvent(kind: .commit, lsn: LSN(rawValue: 8), segment: segment),
    ]
  }

  /// Commits as a busy server writes them, over a megabyte of rows (so chunks are handed on
  /// mid-table), with restore points and prepared transactions among them and times that
  /// sometimes go back.
  @Test func manyCommits() throws {
    let events = Self.manyCommits()
    let ours = Self.bytes(events)
    #expect(ours.count > 2 * WALFindTable.chunkSize)
    try Self.expectSameBytes(events)
  }

  /// 30,000 commits, aborts and restore points as a busy server writes them.
  static func manyCommits() -> [FoundEvent] {
    var random = SeededRandom(seed: 22)
    var time: Int64 = 817_041_600_000_000
    var lsn: UInt64 = 0x1_0000_0000 - 50_000
    var events: [FoundEvent] = []
    for index in 0..<30_000 {
      time += Int64(random.next() % 600) - (index % 997 == 0 ? 2_000_000 : 0)
      lsn += random.next() % 4_000 + 24
      let segment = WALSegmentName(
        timeline: TimelineID(1), segmentNumber: lsn >> 24, size: .sixteenMiB)
      let stamp = PostgresTimestamp(microsecondsSince2000: time)
      if index % 500 == 0 {
        events.append(
          FoundEvent(
            kind: .restorePoint, lsn: LSN(rawValue: lsn), segment: segment, time: stamp,
            restorePoint: "mark-\(index)"))
        continue
      }
      let xid = UInt32(truncatingIfNeeded: 700 + index * 7)
      let end = FoundEvent.TransactionEnd(
        outcome: index % 50 == 0 ? .abort : .commit, transactionID: xid, time: stamp,
        lsn: LSN(rawValue: lsn), prepared: index % 333 == 0)
      events.append(
        FoundEvent(
          kind: end.outcome == .commit ? .commit : .abort, lsn: LSN(rawValue: lsn),
          segment: segment, transactionID: xid, time: stamp, transactionEnd: end))
    }
    return events
  }
}
