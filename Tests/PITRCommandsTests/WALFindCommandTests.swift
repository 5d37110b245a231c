import Foundation
import Testing
import _PITRTestSupport

/// `pitr wal find` by relation and by kind, on transactions whose xids, relfilenodes and
/// restore point the test knows from the server (`txid_current()`, `pg_relation_filenode`,
/// `pg_create_restore_point`, `pg_waldump`).
@Suite(.tags(.integration), .enabled(if: PostgresLab.isAvailable))
struct WALFindCommandTests {
  /// Row changes of the table `items` in database `finds`, one transaction each.
  struct RowChanges {
    /// `items` as `--relation` takes it: tablespace/database/relfilenode.
    var relation: String
    var tablespace: Int
    var database: Int
    var relfilenode: Int
    /// `items`'s `pg_class.oid`.
    var tableOID: Int
    /// Three rows inserted, committed.
    var insertXid: UInt32
    /// One row updated.
    var updateXid: UInt32
    /// One row deleted.
    var deleteXid: UInt32
    /// One row inserted, rolled back.
    var abortXid: UInt32
    /// A row inserted into another table.
    var otherXid: UInt32
    /// `TRUNCATE items`, when asked for.
    var truncateXid: UInt32?
    /// The restore point `row-changes` made last, and the server's clock around it.
    var restorePointEnd: String
    var restorePointWALFile: String
    var notBefore: String
    var notAfter: String

    static func run(in lab: PostgresLab, truncate: Bool = false) throws -> RowChanges {
      try lab.sql("CREATE DATABASE finds")
      try lab.sqlSession(
        ["CREATE TABLE items (id int PRIMARY KEY, note text)", "CREATE TABLE other (id int)"],
        database: "finds")
      let ids = try lab.sql(
        """
        SELECT d.dattablespace, d.oid, pg_relation_filenode('items'), 'items'::regclass::oid
        FROM pg_database d WHERE d.datname = current_database()
        """, database: "finds"
      ).split(separator: "|").compactMap { Int($0) }
      guard ids.count == 4 else { throw FixtureError("items' ids: \(ids)") }
      func xid(_ statements: [String], end: String = "COMMIT") throws -> UInt32 {
        let rows = try lab.sqlSession(
          ["BEGIN"] + statements + ["SELECT txid_current()", end], database: "finds")
        guard rows.count == 1, let value = UInt64(rows[0]) else {
          throw FixtureError("\(statements) printed \(rows)")
        }
        return UInt32(truncatingIfNeeded: value)
      }
      let insertXid = try xid(["INSERT INTO items VALUES (1, 'a'), (2, 'b'), (3, 'c')"])
      let updateXid = try xid(["UPDATE items SET note = 'b2' WHERE id = 2"])
      let deleteXid = try xid(["DELETE FROM items WHERE id = 3"])
      let abortXid = try xid(["INSERT INTO items VALUES (4, 'rolled back')"], end: "ROLLBACK")
      let otherXid = try xid(["INSERT INTO other VALUES (1)"])
      let truncateXid = truncate ? try xid(["TRUNCATE items"]) : nil
      let point = try lab.sqlSession([
        "SELECT clock_timestamp()", "SELECT pg_create_restore_point('row-changes')",
        "SELECT clock_timestamp()",
      ])
      guard point.count == 3 else { throw FixtureError("the restore point printed \(point)") }
      let walFile = try lab.sql("SELECT pg_walfile_name('\(point[1])')")
      try lab.switchWAL()
      return RowChanges(
        relation: "\(ids[0])/\(ids[1])/\(ids[2])", tablespace: ids[0], database: ids[1],
        relfilenode: ids[2], tableOID: ids[3], insertXid: insertXid, updateXid: updateXid,
        deleteXid: deleteXid, abortXid: abortXid, otherXid: otherXid, truncateXid: truncateXid,
        restorePointEnd: point[1], restorePointWALFile: walFile, notBefore: point[0],
        notAfter: point[2])
    }

    /// `relation` as `--json` prints it.
    var relationObject: [String: Int] {
      ["tablespace": tablespace, "database": database, "relation": relfilenode]
    }
  }

  /// `pitr wal find ARGUMENTS --json`'s events.
  static func events(_ lab: PostgresLab, _ arguments: String...) throws -> [[String: Any]] {
    let command = ["wal", "find", "--wal", lab.archiveDirectory, "--no-cache", "--json"] + arguments
    let result = try ProcessRunner.run(
      RepositoryPaths.pitrExecutable, command, environment: ["NO_COLOR": "1"], timeout: 60)
    #expect(result.status == 0, "pitr \(command.joined(separator: " ")): \(result.standardError)")
    return try WALFindLines.events(result.standardOutput)
  }

  /// Each event as `kind xid`, with `(aborted)` for row changes whose transaction aborted.
  static func summary(_ events: [[String: Any]]) -> [String] {
    events.map { event in
      let kind = event["kind"] as? String ?? "?"
      let xid = (event["transactionID"] as? Int).map(String.init) ?? "-"
      let aborted =
        ["insert", "update", "delete", "truncate"].contains(kind)
        && event["ended"] as? String == "abort"
      return "\(kind) \(xid)" + (aborted ? " (aborted)" : "")
    }
  }

  @Test func byRelationAndRowChangeKind() throws {
    let lab = try PostgresLab(name: "wal-find-relation", archive: .plainFlat)
    defer { lab.remove() }
    let changes = try RowChanges.run(in: lab)
    let (insert, update, delete, abort) = (
      changes.insertXid, changes.updateXid, changes.deleteXid, changes.abortXid
    )

    let all = try Self.events(lab, "--relation", changes.relation)
    #expect(
      Self.summary(all) == [
        "insert \(insert)", "insert \(insert)", "insert \(insert)", "commit \(insert)",
        "update \(update)", "commit \(update)", "delete \(delete)", "commit \(delete)",
        "insert \(abort) (aborted)", "abort \(abort)",
      ])
    let rowChanges = all.filter { ["insert", "update", "delete"].contains($0["kind"] as? String) }
    #expect(rowChanges.allSatisfy { $0["relation"] as? [String: Int] == changes.relationObject })
    // Each row change knows where its transaction ended: the commit or abort listed after it.
    for change in rowChanges {
      let endLSN = try #require(change["endLSN"] as? String)
      #expect(change["topTransactionID"] == nil)
      let ended = all.first {
        ["commit", "abort"].contains($0["kind"] as? String) && $0["lsn"] as? String == endLSN
      }
      #expect(ended?["transactionID"] as? Int == change["transactionID"] as? Int)
    }

    #expect(
      Self.summary(try Self.events(lab, "--relation", changes.relation, "--kind", "insert")) == [
        "insert \(insert)", "insert \(insert)", "insert \(insert)", "insert \(abort) (aborted)",
      ])
    #expect(
      Self.summary(try Self.events(lab, "--relation", changes.relation, "--kind", "update"))
        == ["update \(update)"])
    #expect(
      Self.summary(try Self.events(lab, "--relation", changes.relation, "--kind", "delete"))
        == ["delete \(delete)"])
    // The other table's insert is found without the relation, not with it.
    let inserts = try Self.events(lab, "--kind", "insert")
    #expect(Self.summary(inserts).contains("insert \(changes.otherXid)"))
    #expect(!Self.summary(all).contains { $0.hasSuffix(" \(changes.otherXid)") })

    // The table: the delete's row, where its transaction committed, and the targets before it.
    let text = try pitr(
      "wal", "find", "--wal", lab.archiveDirectory, "--no-cache", "--relation", changes.relation,
      "--kind", "delete")
    let line = try #require(text.standardOutput.split(separator: "\n").first { $0.contains(" delete ") })
    let commit = try #require(
      all.first { $0["kind"] as? String == "commit" && $0["transactionID"] as? Int == Int(delete) })
    #expect(line.hasSuffix("\(changes.relation) block 0, committed at \(commit["lsn"] as? String ?? "?")"))
    #expect(line.contains(" \(delete) "))
    #expect(text.standardOutput.contains("To restore to just before transaction \(delete) "))
  }

  @Test func abortsCommitsAndRestorePoints() throws {
    let lab = try PostgresLab(name: "wal-find-kinds", archive: .gzipFlat)
    defer { lab.remove() }
    let changes = try RowChanges.run(in: lab)

    let aborts = try Self.events(lab, "--kind", "abort")
    #expect(Self.summary(aborts) == ["abort \(changes.abortXid)"])
    #expect((aborts.first?["time"] as? String)?.hasSuffix("+00") == true)

    let commits = Self.summary(try Self.events(lab, "--kind", "commit"))
    #expect(commits.allSatisfy { $0.hasPrefix("commit ") })
    for xid in [changes.insertXid, changes.updateXid, changes.deleteXid, changes.otherXid] {
      #expect(commits.contains("commit \(xid)"))
    }
    #expect(!commits.contains("commit \(changes.abortXid)"))

    let points = try Self.events(lab, "--kind", "restore-point")
    #expect(points.count == 1)
    let point = try #require(points.first)
    #expect(point["restorePoint"] as? String == "row-changes")
    #expect(point["segment"] as? String == changes.restorePointWALFile)
    let record = try #require(
      try lab.waldump(changes.restorePointWALFile).first { $0.description == "RESTORE_POINT row-changes" })
    #expect(point["lsn"] as? String == PostgresLab.lsnText(record.lsn))
    let time = try #require(point["time"] as? String)
    #expect(
      try lab.sql("SELECT '\(time)'::timestamptz BETWEEN '\(changes.notBefore)' AND '\(changes.notAfter)'")
        == "t", "\(time) not within \(changes.notBefore) … \(changes.notAfter)")
  }

  /// Over two archive folders (timeline 1's, and the promoted restore's with timeline 2's
  /// files), every event is named by the file it was read from. Timeline 2's copy of the
  /// switch segment holds timeline 1's records up to the switch point and timeline 2's after
  /// it, on pages that keep timeline 1 in their headers: named from those, timeline 2's
  /// records were shown in timeline 1's file, which holds the abandoned branch instead.
  @Test func eventsNameTheSegmentFileTheyWereReadFromAcrossTwoArchives() throws {
    let lab = try PostgresLab(name: "wal-find-fork", archive: .plainFlat)
    defer { lab.remove() }
    let scenario = try TimelineForkScenario.run(in: lab)
    let timeline1 = lab.directory.file("archive-timeline-1")
    let timeline2 = lab.directory.file("archive-timeline-2")
    for folder in [timeline1, timeline2] {
      try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }
    for name in try FileManager.default.contentsOfDirectory(atPath: lab.archiveDirectory) {
      try FileManager.default.copyItem(
        atPath: "\(lab.archiveDirectory)/\(name)",
        toPath: "\(name.hasPrefix("00000002") ? timeline2 : timeline1)/\(name)")
    }
    let command = [
      "wal", "find", "--wal", timeline1, "--wal", timeline2, "--no-cache", "--timeline", "2",
    ]
    let json = try ProcessRunner.run(
      RepositoryPaths.pitrExecutable, command + ["--json"], environment: ["NO_COLOR": "1"], timeout: 60)
    #expect(json.status == 0, "\(json.standardError)")
    let events = try WALFindLines.events(json.standardOutput)

    let forkNumber = scenario.forkWALFileOnTimeline2.dropFirst(8)
    let afterFork = try #require(events.first { $0["restorePoint"] as? String == "after-fork" })
    #expect(afterFork["segment"] as? String == scenario.forkWALFileOnTimeline2)
    let commit = try #require(
      events.first { $0["kind"] as? String == "commit" && $0["transactionID"] as? Int == Int(scenario.timeline2Xid) })
    #expect(commit["segment"] as? String == scenario.forkWALFileOnTimeline2)
    // Timeline 1's records before the switch, in that segment, were read from timeline 2's
    // copy too; earlier segments are timeline 1's files.
    let fork = try #require(events.first { $0["restorePoint"] as? String == "fork" })
    #expect(fork["segment"] as? String == scenario.forkWALFileOnTimeline2)
    for event in events {
      let segment = try #require(event["segment"] as? String)
      if segment.dropFirst(8) == forkNumber {
        #expect(segment == scenario.forkWALFileOnTimeline2, "\(event)")
      } else {
        #expect(segment.hasPrefix("00000001") && segment.dropFirst(8) < forkNumber, "\(event)")
      }
    }
    // The abandoned branch is not on timeline 2's history (its commit may have timeline 2's
    // xid: both servers went on from the fork's next xid).
    #expect(!events.contains { $0["restorePoint"] as? String == "abandoned" })
    #expect(
      events.filter { $0["kind"] as? String == "commit" && $0["transactionID"] as? Int == Int(scenario.timeline2Xid) }
        .count == 1)

    // The table says the same.
    let text = try ProcessRunner.run(
      RepositoryPaths.pitrExecutable, command, environment: ["NO_COLOR": "1"], timeout: 60)
    #expect(text.status == 0, "\(text.standardError)")
    let line = try #require(text.standardOutput.split(separator: "\n").first { $0.contains("after-fork") })
    #expect(line.contains(scenario.forkWALFileOnTimeline2), "\(line)")
    #expect(!text.standardOutput.contains(scenario.forkWALFileOnTimeline1), "\(text.standardOutput)")
  }

  @Test func truncates() throws {
    // TRUNCATE is in the WAL only at wal_level = logical.
    let lab = try PostgresLab(
      name: "wal-find-truncate", archive: .plainFlat, settings: ["wal_level": "logical"])
    defer { lab.remove() }
    let changes = try RowChanges.run(in: lab, truncate: true)
    let truncateXid = try #require(changes.truncateXid)

    let found = try Self.events(lab, "--kind", "truncate")
    #expect(Self.summary(found) == ["truncate \(truncateXid)"])
    let truncate = try #require(found.first)
    #expect(truncate["truncatedTables"] as? [Int] == [changes.tableOID])
    #expect(truncate["relation"] == nil)
    #expect(truncate["ended"] as? String == "commit")
    #expect(truncate["transactionID"] as? Int == Int(truncateXid))
    let end = ["lsn": try #require(truncate["endLSN"] as? String)]

    let text = try pitr("wal", "find", "--wal", lab.archiveDirectory, "--no-cache", "--kind", "truncate")
    #expect(text.status == 0)
    #expect(
      text.standardOutput.contains(
        "tables \(changes.tableOID), committed at \(end["lsn"] ?? "?")"))
    #expect(text.standardOutput.contains("To restore to just before transaction \(truncateXid) "))

    // By relation: REL is compared with the truncated tables' OIDs (items' relfilenode was
    // its OID until the TRUNCATE), with its row changes and their ends.
    let byRelation = try Self.events(lab, "--relation", changes.relation)
    #expect(
      Self.summary(byRelation).suffix(3) == [
        "abort \(changes.abortXid)", "truncate \(truncateXid)", "commit \(truncateXid)",
      ])
    #expect(
      Self.summary(try Self.events(lab, "--relation", changes.relation, "--kind", "truncate"))
        == ["truncate \(truncateXid)"])
    // Another database's relation with the same numbers does not match.
    #expect(
      try Self.events(
        lab, "--relation", "\(changes.tablespace)/\(changes.database + 1)/\(changes.relfilenode)"
      ).isEmpty)
    // By table: the TRUNCATE gave items a new relfilenode; its OID still names it.
    let filenode = try lab.sql("SELECT pg_relation_filenode('items')", database: "finds")
    #expect(filenode != String(changes.relfilenode))
    let source = "host=\(lab.socketDirectory) port=\(lab.port) user=postgres"
    #expect(
      Self.summary(
        try Self.events(lab, "--table", "finds.public.items", "--source", source, "--kind", "truncate"))
        == ["truncate \(truncateXid)"])
  }
}
