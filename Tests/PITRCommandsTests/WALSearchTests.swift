import Catalog
import Foundation
import PostgresVocabulary
import Testing
import WAL
import _PITRTestSupport

/// `WALSearch`, what `pitr wal find` runs, on synthetic WAL whose every record the test wrote:
/// filters by relation, time window, transaction (a subtransaction's changes included) and
/// kind, and row changes reported with the end of their transaction.
@Suite struct WALSearchTests {
  /// The WAL the tests search, and the LSN of each record by a short name.
  struct Written {
    var directory: TemporaryDirectory
    var archive: WALArchive
    var lsn: [String: LSN]

    func search(_ criteria: WALSearch.Criteria) throws -> [FoundEvent] {
      try #require(try WALSearch(archive: archive, timeline: TimelineID(1)).run(criteria)).events
    }
  }

  static let items = RelationFileLocator(tablespace: 1663, database: 16_384, relation: 16_386)
  static let other = RelationFileLocator(tablespace: 1663, database: 16_384, relation: 16_390)
  /// 2025-11-22 12:00:00 UTC, and seconds after it.
  static func time(_ seconds: Int64) -> PostgresTimestamp {
    PostgresTimestamp(microsecondsSince2000: 817_041_600_000_000 + seconds * 1_000_000 + 250)
  }

  /// Transactions 700 (two inserts into items, one of three rows), 701 (an insert into
  /// other), 702 (a delete, and an update by its subtransaction 703), a restore point, and
  /// 704 (an insert, aborted), each ending a second after the one before.
  static func write() throws -> Written {
    var wal = WALSegmentBuilder(major: 15)
    var lsn: [String: LSN] = [:]
    lsn["insert 700"] = wal.append(.heapInsert(xid: 700, relation: items, block: 0, offset: 1))
    lsn["multi-insert 700"] = wal.append(.heapMultiInsert(xid: 700, relation: items, block: 1, rows: 3))
    lsn["insert 701"] = wal.append(.heapInsert(xid: 701, relation: other, block: 0, offset: 1))
    lsn["commit 700"] = wal.append(.commit(xid: 700, WALTransactionEndSpec(time: time(1))))
    lsn["update 703"] = wal.append(
      .heapUpdate(xid: 703, hot: true, relation: items, newBlock: 0, newOffset: 2, oldOffset: 1))
    lsn["delete 702"] = wal.append(.heapDelete(xid: 702, relation: items, block: 1, offset: 2))
    lsn["commit 701"] = wal.append(.commit(xid: 701, WALTransactionEndSpec(time: time(2))))
    lsn["commit 702"] = wal.append(
      .commit(xid: 702, WALTransactionEndSpec(time: time(3), subtransactions: [703])))
    lsn["restore point"] = wal.append(.restorePoint(name: "before-the-abort", time: time(4)))
    lsn["insert 704"] = wal.append(.heapInsert(xid: 704, relation: items, block: 2, offset: 1))
    lsn["abort 704"] = wal.append(.abort(xid: 704, WALTransactionEndSpec(time: time(5))))
    let directory = try TemporaryDirectory("wal-search")
    try wal.write(to: directory.path)
    let (archive, _) = Catalog.scanArchive(wal: [directory.path], cache: .disabled)
    return Written(directory: directory, archive: archive, lsn: lsn)
  }

  /// Each event as `kind xid`, in the order found.
  static func summary(_ events: [FoundEvent]) -> [String] {
    events.map { "\($0.kind.rawValue) \($0.transactionID.map(String.init) ?? "-")" }
  }

  @Test func everythingInWALOrder() throws {
    let wal = try Self.write()
    defer { wal.directory.remove() }
    let events = try wal.search(WALSearch.Criteria())
    #expect(
      Self.summary(events) == [
        "insert 700", "insert 700", "insert 701", "commit 700", "update 703", "delete 702",
        "commit 701", "commit 702", "restore-point -", "insert 704", "abort 704",
      ])
    // Row changes carry their place, and the end of their (top-level) transaction.
    let update = try #require(events.first { $0.kind == .update })
    #expect(update.lsn == wal.lsn["update 703"])
    #expect(update.relation == Self.items && update.block == 0)
    #expect(update.transactionEnd?.transactionID == 702)
    #expect(update.transactionEnd?.lsn == wal.lsn["commit 702"])
    #expect(update.transactionEnd?.time == Self.time(3))
    #expect(update.time == nil)
    let multi = try #require(events.first { $0.lsn == wal.lsn["multi-insert 700"] })
    #expect(multi.rows == 3 && multi.block == 1)
    let aborted = try #require(events.first { $0.kind == .insert && $0.transactionID == 704 })
    #expect(aborted.transactionEnd?.outcome == .abort)
    let point = try #require(events.first { $0.kind == .restorePoint })
    #expect(point.restorePoint == "before-the-abort" && point.time == Self.time(4))
    #expect(point.segment == WALSegmentName("000000010000000000000001"))
  }

  @Test func oneRelation() throws {
    let wal = try Self.write()
    defer { wal.directory.remove() }
    let events = try wal.search(WALSearch.Criteria(relation: Self.items))
    #expect(
      Self.summary(events) == [
        "insert 700", "insert 700", "commit 700", "update 703", "delete 702", "commit 702",
        "insert 704", "abort 704",
      ])
    #expect(events.compactMap(\.relation).allSatisfy { $0 == Self.items })
    let deletes = try wal.search(WALSearch.Criteria(relation: Self.items, kinds: [.delete]))
    #expect(Self.summary(deletes) == ["delete 702"])
    #expect(try wal.search(WALSearch.Criteria(relation: Self.other, kinds: [.update])).isEmpty)
  }

  @Test func aTimeWindowSelectsTransactionEnds() throws {
    let wal = try Self.write()
    defer { wal.directory.remove() }
    // Commits at 2 and 3 s (and the changes of their transactions); the restore point at 4 s.
    let events = try wal.search(WALSearch.Criteria(from: Self.time(2), to: Self.time(4)))
    #expect(
      Self.summary(events) == [
        "insert 701", "update 703", "delete 702", "commit 701", "commit 702", "restore-point -",
      ])
  }

  @Test func oneTransactionWithItsSubtransaction() throws {
    let wal = try Self.write()
    defer { wal.directory.remove() }
    for xid: UInt32 in [702, 703] {
      let events = try wal.search(WALSearch.Criteria(transactionID: xid))
      #expect(Self.summary(events) == ["update 703", "delete 702", "commit 702"], "xid \(xid)")
    }
  }

  /// With a relation and only transaction ends asked for: the ends of the transactions
  /// that changed it, without the changes.
  @Test func theCommitsAndAbortsOfTheTransactionsThatChangedARelation() throws {
    let wal = try Self.write()
    defer { wal.directory.remove() }
    let commits = try wal.search(WALSearch.Criteria(relation: Self.items, kinds: [.commit]))
    #expect(Self.summary(commits) == ["commit 700", "commit 702"])
    let aborts = try wal.search(WALSearch.Criteria(relation: Self.items, kinds: [.abort]))
    #expect(Self.summary(aborts) == ["abort 704"])
    let ofOther = try wal.search(WALSearch.Criteria(relation: Self.other, kinds: [.commit, .insert]))
    #expect(Self.summary(ofOther) == ["insert 701", "commit 701"])
  }

  /// A row change whose transaction never ends in the WAL (still running when the archive
  /// stops) is reported without an end, in WAL order; not when `to` is before a
  /// transaction end the WAL already shows, since the change follows it.
  @Test func rowChangesOfATransactionThatHasNotEndedAreReportedWithoutAnEnd() throws {
    var wal = WALSegmentBuilder(major: 15)
    wal.append(.heapInsert(xid: 720, relation: Self.items, block: 0, offset: 1))
    wal.append(.commit(xid: 720, WALTransactionEndSpec(time: Self.time(1))))
    let running = wal.append(.heapDelete(xid: 721, relation: Self.items, block: 0, offset: 1))
    wal.append(.commit(xid: 722, WALTransactionEndSpec(time: Self.time(2))))
    let directory = try TemporaryDirectory("wal-search-unended")
    defer { directory.remove() }
    try wal.write(to: directory.path)
    let (archive, _) = Catalog.scanArchive(wal: [directory.path], cache: .disabled)
    let search = WALSearch(archive: archive, timeline: TimelineID(1))

    let all = try #require(try search.run(WALSearch.Criteria(relation: Self.items))).events
    #expect(Self.summary(all) == ["insert 720", "commit 720", "delete 721"])
    let unended = try #require(all.first { $0.kind == .delete })
    #expect(unended.lsn == running && unended.transactionEnd == nil)
    let byXid = try #require(try search.run(WALSearch.Criteria(transactionID: 721))).events
    #expect(Self.summary(byXid) == ["delete 721"])
    let later = try #require(try search.run(WALSearch.Criteria(from: Self.time(2)))).events
    #expect(Self.summary(later) == ["delete 721", "commit 722"])
    let earlier = try #require(try search.run(WALSearch.Criteria(to: Self.time(1)))).events
    #expect(Self.summary(earlier) == ["insert 720", "commit 720"])
  }

  /// A TRUNCATE names its database and table OIDs: a relation matches it by its database and
  /// its relfilenode taken for the OID, or by the OID given with it (after a rewrite).
  @Test func truncatesByDatabaseAndTableOID() throws {
    var wal = WALSegmentBuilder(major: 15)
    wal.append(.heapTruncate(xid: 710, database: 16_384, tables: [16_386]))
    wal.append(.heapTruncate(xid: 710, database: 16_384, tables: [16_390, 16_400]))
    wal.append(.heapTruncate(xid: 711, database: 16_999, tables: [16_386]))
    wal.append(.commit(xid: 710, WALTransactionEndSpec(time: Self.time(1))))
    wal.append(.commit(xid: 711, WALTransactionEndSpec(time: Self.time(2))))
    let directory = try TemporaryDirectory("wal-search-truncate")
    defer { directory.remove() }
    try wal.write(to: directory.path)
    let (archive, _) = Catalog.scanArchive(wal: [directory.path], cache: .disabled)
    func search(_ criteria: WALSearch.Criteria) throws -> [FoundEvent] {
      try #require(try WALSearch(archive: archive, timeline: TimelineID(1)).run(criteria)).events
    }

    let items = try search(WALSearch.Criteria(relation: Self.items))
    #expect(Self.summary(items) == ["truncate 710", "commit 710"])
    #expect(items.first?.truncatedTables == [16_386])
    #expect(items.first?.transactionEnd?.outcome == .commit)
    let other = try search(WALSearch.Criteria(relation: Self.other, kinds: [.truncate]))
    #expect(Self.summary(other) == ["truncate 710"])
    #expect(other.first?.truncatedTables == [16_390, 16_400])
    // After a rewrite the relfilenode is another number; the OID still names the table.
    var rewritten = Self.items
    rewritten.relation = 30_000
    #expect(try search(WALSearch.Criteria(relation: rewritten)).isEmpty)
    #expect(
      Self.summary(try search(WALSearch.Criteria(relation: rewritten, tableOID: 16_386)))
        == ["truncate 710", "commit 710"])
    // Without a relation, every TRUNCATE.
    #expect(
      Self.summary(try search(WALSearch.Criteria(kinds: [.truncate])))
        == ["truncate 710", "truncate 710", "truncate 711"])
  }

  @Test(arguments: [
    (FoundEvent.Kind.commit, ["commit 700", "commit 701", "commit 702"]),
    (.abort, ["abort 704"]), (.restorePoint, ["restore-point -"]),
    (.insert, ["insert 700", "insert 700", "insert 701", "insert 704"]), (.update, ["update 703"]),
    (.delete, ["delete 702"]), (.truncate, []),
  ])
  func oneKind(kind: FoundEvent.Kind, expected: [String]) throws {
    let wal = try Self.write()
    defer { wal.directory.remove() }
    #expect(Self.summary(try wal.search(WALSearch.Criteria(kinds: [kind]))) == expected)
  }
}
