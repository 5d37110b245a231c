import Foundation
import PostgresVocabulary
import Testing
import _PITRTestSupport

@testable import WAL

/// pitr's WAL reader against `pg_waldump` (the oracle, used in tests only) on WAL a real
/// PostgreSQL wrote: pgbench traffic, two-phase commits, subtransactions, aborts, restore
/// points (one name twice), and a second timeline after a promotion. Every commit, abort and
/// restore point pg_waldump prints must be found with the same LSN, xid and time, and nothing
/// more. The first test runs for every major `PostgresLab.binaries(major:)` finds (15 always;
/// 16 to 18 where their builds are cached or `PITR_TEST_BINDIR` points at them), each
/// compared with that major's pg_waldump.
@Suite(.tags(.integration), .enabled(if: PostgresLab.isAvailable))
struct WALReaderOracleTests {
  /// A transaction end or restore point, as both tools can describe it.
  struct Fact: Hashable, CustomStringConvertible {
    var lsn: UInt64
    var kind: String
    var xid: UInt32
    var microseconds: Int64
    var name: String

    var description: String { "\(LSN(rawValue: lsn)) \(kind) \(xid) \(microseconds) \(name)" }
  }

  @Test(arguments: PostgresLab.availableMajors)
  func commitsAbortsAndRestorePointsMatchPgWaldump(major: Int) throws {
    let binaries = try #require(PostgresLab.binaries(major: major))
    try PostgresLab.$binaryDirectory.withValue(binaries) {
      try commitsAbortsAndRestorePoints(major: major)
    }
  }

  private func commitsAbortsAndRestorePoints(major: Int) throws {
    let lab = try PostgresLab(
      name: "wal-oracle-\(major)", archive: .gzipFlat, settings: ["max_prepared_transactions": "5"])
    defer { lab.remove() }
    try lab.pgbench(["-i", "-s", "1"])
    try lab.pgbench(["-c", "2", "-t", "150"])
    try lab.sql("CREATE TABLE t (i int)")
    try lab.sqlSession([
      "BEGIN", "INSERT INTO t VALUES (1)", "PREPARE TRANSACTION 'gx1'", "COMMIT PREPARED 'gx1'",
      "BEGIN", "INSERT INTO t VALUES (2)", "PREPARE TRANSACTION 'gx2'", "ROLLBACK PREPARED 'gx2'",
      "BEGIN", "INSERT INTO t VALUES (3)", "SAVEPOINT a", "INSERT INTO t VALUES (4)",
      "ROLLBACK TO SAVEPOINT a", "SAVEPOINT b", "INSERT INTO t VALUES (5)", "RELEASE SAVEPOINT b",
      "COMMIT",
      "BEGIN", "INSERT INTO t VALUES (6)", "ROLLBACK",
      "SELECT pg_create_restore_point('oracle')", "SELECT pg_create_restore_point('oracle')",
    ])
    try lab.pgbench(["-c", "1", "-t", "50"])
    try lab.switchWAL()
    let facts = try compare(lab: lab, timeline: 1)
    #expect(facts.count > 300)
    #expect(facts.filter { $0.kind == "restore-point" }.map(\.name) == ["oracle", "oracle"])
    #expect(facts.contains { $0.kind == "prepared-commit" })
    #expect(facts.contains { $0.kind == "prepared-abort" })
    // The subtransaction rolled back to savepoint a, and the plain ROLLBACK.
    #expect(facts.filter { $0.kind == "abort" }.count >= 2)
  }

  @Test func secondTimelineAfterAPromotionMatchesPgWaldump() throws {
    let lab = try PostgresLab(name: "wal-oracle-tl2", archive: .gzipDated)
    defer { lab.remove() }
    let scenario = try InventariosScenario.run(in: lab)
    let clone = try lab.restore(
      backup: scenario.backupPath,
      recovery: ["recovery_target_name": "test_pirt", "recovery_target_action": "promote"])
    try clone.sql("CREATE TABLE after_promotion AS SELECT generate_series(1, 100) AS i", database: "test")
    try clone.switchWAL()
    let facts = try compare(lab: lab, timeline: 2)
    #expect(facts.contains { $0.kind == "commit" })
  }

  /// Reads the archived segments of `timeline` with pitr and with pg_waldump, expects the
  /// same transaction ends and restore points, and returns them.
  private func compare(lab: PostgresLab, timeline: UInt32) throws -> [Fact] {
    let segments = lab.archive.fileNames().map { String($0.prefix(24)) }
      .filter { name in
        WALSegmentName(name)?.timeline == TimelineID(timeline)
          && lab.archive.fileNames().contains { $0 == name || $0 == name + ".gz" }
      }
      .sorted()
    let first = try #require(segments.first)
    let last = try #require(segments.last)
    let scratch = lab.directory.file("oracle-\(timeline)")
    var files: [(name: WALSegmentName, path: String)] = []
    for segment in segments {
      let name = try #require(WALSegmentName(segment))
      files.append((name, try lab.archive.decompressedCopy(of: segment, into: scratch)))
    }
    var ours: [Fact] = []
    let end = try WALReader(provider: WALFileList(files: files)).read { record in
      switch record.event {
      case .transactionEnd(let ended)?:
        let kind = (ended.prepared ? "prepared-" : "") + ended.outcome.rawValue
        ours.append(
          Fact(
            lsn: record.lsn.rawValue, kind: kind, xid: ended.transactionID,
            microseconds: ended.time.microsecondsSince2000, name: ""))
      case .restorePoint(let point)?:
        // pg_waldump does not print a restore point's time: compare LSN and name only.
        ours.append(
          Fact(lsn: record.lsn.rawValue, kind: "restore-point", xid: 0, microseconds: -1, name: point.name))
      default:
        break
      }
    }
    // The archive ends with a switch: reading ends where the next segment is missing.
    if case .missingSegment = end.reason {} else { Issue.record("unexpected end: \(end)") }
    let output = try ProcessRunner.run(
      "\(PostgresLab.binaries)/pg_waldump",
      ["-p", scratch, "-t", String(timeline), first, last], environment: ["TZ": "UTC"])
    let theirs = output.standardOutput.split(separator: "\n").compactMap(Self.fact(from:))
    #expect(!theirs.isEmpty, "pg_waldump printed nothing: \(output.standardError)")
    let onlyOurs = Set(ours).subtracting(theirs).sorted { $0.lsn < $1.lsn }
    let onlyTheirs = Set(theirs).subtracting(ours).sorted { $0.lsn < $1.lsn }
    #expect(onlyOurs.isEmpty, "only pitr: \(onlyOurs.prefix(5))")
    #expect(onlyTheirs.isEmpty, "only pg_waldump: \(onlyTheirs.prefix(5))")
    #expect(ours.count == theirs.count)
    return ours
  }

  /// A fact from one `pg_waldump` line, for transaction ends and restore points.
  static func fact(from line: Substring) -> Fact? {
    guard let record = PostgresLab.WaldumpRecord(line: line) else { return nil }
    let description = record.description
    if record.resourceManager == "XLOG", description.hasPrefix("RESTORE_POINT ") {
      return Fact(
        lsn: record.lsn, kind: "restore-point", xid: 0, microseconds: -1,
        name: String(description.dropFirst("RESTORE_POINT ".count)))
    }
    guard record.resourceManager == "Transaction" else { return nil }
    for (prefix, kind) in [
      ("COMMIT_PREPARED ", "prepared-commit"), ("ABORT_PREPARED ", "prepared-abort"),
      ("COMMIT ", "commit"), ("ABORT ", "abort"),
    ] where description.hasPrefix(prefix) {
      var rest = description.dropFirst(prefix.count)
      var xid = record.transactionID
      if kind.hasPrefix("prepared"), let colon = rest.firstIndex(of: ":") {
        xid = UInt32(rest[..<colon]) ?? 0
        rest = rest[rest.index(after: colon)...].drop(while: { $0 == " " })
      }
      let words = rest.split(separator: " ", maxSplits: 3)
      guard words.count >= 3 else { return nil }
      let text = "\(words[0]) \(words[1])+00"
      guard let time = PostgresTimestamp(utcText: text) else { return nil }
      return Fact(lsn: record.lsn, kind: kind, xid: xid, microseconds: time.microsecondsSince2000, name: "")
    }
    return nil
  }
}
