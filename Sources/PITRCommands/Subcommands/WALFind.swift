import ArgumentParser
import Catalog
import Foundation
import PlanLoading
import PlanModel
import PostgresClient
import WAL

/// `pitr wal find`: discover a recovery target.
struct WALFind: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "find",
    abstract: "List commits, aborts, restore points and row changes, with ready-to-paste targets.",
    discussion: """
      Answers the question after an accident: when was the row deleted, and what is the last \
      good transaction before it? Filters combine: --from/--to select transactions that ended \
      in that window (and their row changes), --xid one transaction, --relation or --table \
      one table's row changes and the ends of their transactions, --kind the kinds of event \
      (--table T --kind commit: the commits of the transactions that changed T).

      For every transaction that made a matching row change, pitr prints the plan 'target:' \
      snippets that restore to just before it (by xid, and by time). A row change whose \
      transaction has not ended in the archived WAL (still running, or its end not archived \
      yet) is listed as such, unless --to is before the last transaction end read. Times are \
      printed in UTC; each event's segment is the archived file it was read from (along a \
      later timeline, that timeline's copy of the segment holding its switch point, whose first \
      records are its parent's). A row change is known by the table's relfilenode: --table looks it up on the live \
      source (--source CONNINFO); note that TRUNCATE, VACUUM FULL and CLUSTER give a table a \
      new relfilenode. A TRUNCATE record (in the WAL only at wal_level = logical) names its \
      database and its tables' OIDs instead: --table finds it by the table's OID, --relation \
      SPC/DB/REL when its database is DB and its tables include OID REL (a table's \
      relfilenode is its OID until its first TRUNCATE, VACUUM FULL or CLUSTER).

      --json prints JSON Lines, one compact object a line: each event, then the targets, then \
      a last line saying how far the WAL was read (docs/automation.md).

      Exit status: 0 (even when nothing matches), 64 for a usage error or an unreachable source.
      """
  )

  @OptionGroup var archive: WALArchiveOptions

  @Option(help: ArgumentHelp("Transactions that ended at or after this time (with a zone).", valueName: "time"))
  var from: String?

  @Option(help: ArgumentHelp("Transactions that ended at or before this time (with a zone).", valueName: "time"))
  var to: String?

  @Option(help: ArgumentHelp("One transaction id.", valueName: "xid"))
  var xid: UInt32?

  @Option(
    help: ArgumentHelp(
      "A relation as tablespace/database/relfilenode OIDs, e.g. 1663/16384/16386 (and the "
        + "TRUNCATEs of table OID REL in database DB).", valueName: "spc/db/rel"))
  var relation: String?

  @Option(help: ArgumentHelp("A table, database.schema.table, looked up with --source.", valueName: "db.schema.table"))
  var table: String?

  @Option(help: ArgumentHelp("A connection string to the live source, for --table.", valueName: "conninfo"))
  var source: String?

  @Option(
    help: ArgumentHelp(
      "Kinds to list (repeat): commit, abort, restore-point, insert, update, delete, truncate.",
      valueName: "kind"))
  var kind: [String] = []

  @OptionGroup var output: OutputOptions

  func validate() throws {
    for name in kind where FoundEvent.Kind(rawValue: name) == nil {
      throw ValidationError(
        "unknown --kind '\(name)'; use "
          + FoundEvent.Kind.allCases.map(\.rawValue).joined(separator: ", "))
    }
    if relation != nil, table != nil { throw ValidationError("give --relation or --table, not both") }
    if let relation, RelationFileLocator(relation) == nil {
      throw ValidationError("--relation must be three OIDs, tablespace/database/relfilenode (1663/16384/16386)")
    }
    if table != nil, source == nil {
      throw ValidationError("--table needs --source CONNINFO to look the table up")
    }
    if let table, table.split(separator: ".").count != 3 {
      throw ValidationError("--table must be database.schema.table")
    }
    for (name, value) in [("--from", from), ("--to", to)] {
      guard let value else { continue }
      _ = try Self.instant(value, option: name)
    }
  }

  func run() async throws {
    let (walArchive, timeline) = try archive.load()
    var criteria = WALSearch.Criteria(
      from: try from.map { try Self.instant($0, option: "--from") },
      to: try to.map { try Self.instant($0, option: "--to") }, transactionID: xid,
      relation: relation.flatMap(RelationFileLocator.init),
      kinds: Set(kind.compactMap(FoundEvent.Kind.init(rawValue:))))
    if let table, let source {
      let (files, oid) = try Self.lookUp(table: table, source: source)
      criteria.relation = files
      criteria.tableOID = oid
    }
    guard let result = try WALSearch(archive: walArchive, timeline: timeline).run(criteria) else {
      Terminal.writeError("pitr: error: " + WALArchiveOptions.noHistory(timeline, in: walArchive) + "\n")
      throw PITRExitCode.usage
    }
    if output.json {
      try WALFindReport.writeJSONLines(result, timeline: timeline) { text in
        var text = text
        text.withUTF8 { Self.writeStandardOutput(UnsafeRawBufferPointer($0)) }
      }
    } else {
      WALFindTable.render(result.events, timeline: timeline, write: Self.writeStandardOutput)
      Terminal.writeError(WALFindReport.endLine(result, timeline: timeline))
    }
  }

  /// Writes all of `bytes` to standard output (stopping quietly if it is closed).
  static func writeStandardOutput(_ bytes: UnsafeRawBufferPointer) {
    guard var start = bytes.baseAddress else { return }
    var left = bytes.count
    while left > 0 {
      let written = Foundation.write(STDOUT_FILENO, start, left)
      if written < 0, errno == EINTR { continue }
      guard written > 0 else { return }
      start += written
      left -= written
    }
  }

  /// A time given on the command line, which must say its zone.
  static func instant(_ text: String, option: String) throws -> PostgresTimestamp {
    switch TargetTimeParser.parse(text) {
    case .failure(let problem):
      throw ValidationError("\(option): \(problem.message)")
    case .success(let time):
      guard let date = time.instant() else {
        throw ValidationError(
          "\(option): '\(text)' has no zone; add one (-07, +00, UTC or America/Phoenix) so "
            + "there is no doubt which instant it is")
      }
      return PostgresTimestamp(date)
    }
  }

  /// The relation files of `database.schema.table` on the live source, and its OID (which
  /// TRUNCATE records name).
  static func lookUp(table: String, source: String) throws -> (RelationFileLocator, UInt32) {
    let parts = table.split(separator: ".").map(String.init)
    do {
      let connection = try PostgresConnection(conninfo: source, overrides: ["dbname": parts[0]])
      let rows = try connection.query(
        """
        SELECT pg_relation_filenode(c.oid),
               CASE WHEN c.reltablespace = 0 THEN d.dattablespace ELSE c.reltablespace END,
               d.oid, c.oid
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_database d ON d.datname = current_database()
        WHERE n.nspname = $1 AND c.relname = $2
        """, [parts[1], parts[2]])
      guard let row = rows.first, let file = row[0].flatMap(UInt32.init),
        let space = row[1].flatMap(UInt32.init), let database = row[2].flatMap(UInt32.init),
        let oid = row[3].flatMap(UInt32.init)
      else {
        Terminal.writeError("pitr: error: no table \(table) on the source\n")
        throw PITRExitCode.usage
      }
      return (RelationFileLocator(tablespace: space, database: database, relation: file), oid)
    } catch let failure as PostgresConnection.Failure {
      Terminal.writeError("pitr: error: cannot look up \(table) on the source: \(failure.message)\n")
      throw PITRExitCode.usage
    }
  }
}
