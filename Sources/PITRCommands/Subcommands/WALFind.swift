import ArgumentParser
import Catalog
import Foundation
import PlanLoading
import PlanModel
import PostgresClient
import PostgresVocabulary
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
      source (--source CONNINFO) or, when the source is gone, in the catalog of the newest \
      full base backup (--base or --plan), read from its files without extracting them; a \
      table created or renamed after that backup is not in it. Note that TRUNCATE, VACUUM \
      FULL and CLUSTER give a table a new relfilenode, which only the live source knows. A TRUNCATE record (in the WAL only at wal_level = logical) names its \
      database and its tables' OIDs instead: --table finds it by the table's OID, --relation \
      SPC/DB/REL when its database is DB and its tables include OID REL (a table's \
      relfilenode is its OID until its first TRUNCATE, VACUUM FULL or CLUSTER).

      With --base DIR (a plan's backups.base), or a plan's backups with --plan PLAN, pitr \
      catalogs the backups and lists only the \
      events a restore from one of them can reach: those inside a restorable window, from \
      where the backup is consistent to where continuous WAL ends (a row change by where its \
      transaction ended); a line on standard error says how many were left out, and --all \
      lists them too. --from and --to take a time with a zone (2025-12-24 17:53:45-07, or \
      2025-12-24 17:53:45 America/Phoenix) or a date alone (its midnight); a time or date \
      without a zone needs --base, and is read in the backups' timezone setting, as a plan's \
      target.time is.

      --json prints JSON Lines as the search goes, one compact object a line: each event, each \
      target after its transaction's lines, and a last line saying how far the WAL was read \
      (docs/automation.md).

      Exit status: 0 (even when nothing matches), 64 for a usage error or an unreachable source.
      """
  )

  @OptionGroup var archive: WALArchiveOptions

  @Option(
    help: ArgumentHelp(
      "Transactions that ended at or after this time, or date (midnight); without a zone, in "
        + "the backups' timezone (needs --base).", valueName: "time"))
  var from: String?

  @Option(
    help: ArgumentHelp(
      "Transactions that ended at or before this time, or date (midnight); without a zone, in "
        + "the backups' timezone (needs --base).", valueName: "time"))
  var to: String?

  @Option(
    help: ArgumentHelp(
      "The base backup folder (a plan's backups.base): list only what a restore from one of its "
        + "backups can reach, and read times without a zone in the backups' timezone.",
      valueName: "dir"))
  var base: String?

  @Option(
    help: ArgumentHelp(
      "A restore plan: its backups.base and backups.wal, instead of --base and --wal.",
      valueName: "plan"))
  var plan: String?

  @Flag(help: "With --base (or --plan), list also the events no backup's restorable window reaches.")
  var all = false

  @Option(help: ArgumentHelp("One transaction id.", valueName: "xid"))
  var xid: UInt32?

  @Option(
    help: ArgumentHelp(
      "A relation as tablespace/database/relfilenode OIDs, e.g. 1663/16384/16386 (and the "
        + "TRUNCATEs of table OID REL in database DB).", valueName: "spc/db/rel"))
  var relation: String?

  @Option(
    help: ArgumentHelp(
      "A table, database.schema.table, looked up with --source, or else in the newest base backup's "
        + "catalog (--base, --plan).", valueName: "db.schema.table"))
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
    if table != nil, source == nil, base == nil, plan == nil {
      throw ValidationError(
        "--table needs --source CONNINFO to look the table up, or --base DIR (or --plan PLAN) "
          + "to read it from the catalog of a base backup")
    }
    if let table, table.split(separator: ".").count != 3 {
      throw ValidationError("--table must be database.schema.table")
    }
    if plan != nil, base != nil || !archive.wal.isEmpty {
      throw ValidationError("give --plan, or --base and --wal, not both: the plan names its backups and archive")
    }
    if plan == nil { try archive.requireArchive() }
    let knowsBackups = base != nil || plan != nil
    if all, !knowsBackups {
      throw ValidationError("--all needs --base DIR: without the backups every event is listed")
    }
    for (name, value) in [("--from", from), ("--to", to)] {
      guard let value else { continue }
      let time = try Self.time(value, option: name)
      if time.zone == .unspecified, !knowsBackups {
        throw ValidationError(
          "\(name): '\(value)' has no zone; add one (-07, +00, UTC or America/Phoenix), or give "
            + "--base DIR to read it in the backups' timezone")
      }
    }
  }

  func run() async throws {
    let walArchive: WALArchive
    let timeline: TimelineID
    var reach: RestorableReach?
    var zone: BackupZone?
    var backups: [BaseBackup]?
    let (base, folders) = try repository()
    if let base {
      let catalog = try loadCatalog(base: base, folders: folders)
      backups = catalog.backups
      walArchive = catalog.archive
      timeline = archive.chosenTimeline(in: walArchive)
      zone = BackupZone(catalog.backups)
      if !all { reach = RestorableReach(windows: catalog.windows, archive: walArchive, timeline: timeline) }
    } else {
      (walArchive, timeline) = try archive.load()
    }
    var criteria = WALSearch.Criteria(
      from: try from.map { try Self.instant($0, option: "--from", zone: zone) },
      to: try to.map { try Self.instant($0, option: "--to", zone: zone) }, transactionID: xid,
      relation: relation.flatMap(RelationFileLocator.init),
      kinds: Set(kind.compactMap(FoundEvent.Kind.init(rawValue:))))
    if let table {
      let (files, oid) =
        if let source {
          try Self.lookUp(table: table, source: source)
        } else {
          try Self.lookUp(table: table, backups: backups ?? [], base: base ?? "")
        }
      criteria.relation = files
      criteria.tableOID = oid
    }
    let leftOut = try search(WALSearch(archive: walArchive, timeline: timeline), criteria, reach: reach)
    if let reach, let base, let line = Self.leftOutLine(leftOut, reach: reach, base: base) {
      Terminal.writeError(line)
    }
  }

  /// Runs the search and writes what it finds as it goes, the table or JSON Lines, then where
  /// reading stopped; returns how many events `reach` left out.
  func search(
    _ search: WALSearch, _ criteria: WALSearch.Criteria, reach: RestorableReach?
  ) throws -> Int {
    let timeline = search.timeline
    var table = WALFindTable()
    var lines = WALFindJSONLines()
    var leftOut = 0
    let json = output.json
    let found = try search.run(criteria) { event in
      if let reach, !reach.reaches(event) {
        leftOut += 1
        return
      }
      if json {
        lines.add(event, write: Self.writeStandardOutput)
      } else {
        table.add(event, write: Self.writeStandardOutput)
      }
    }
    guard let summary = found else {
      Terminal.writeError("pitr: error: " + WALArchiveOptions.noHistory(timeline, in: search.archive) + "\n")
      throw PITRExitCode.usage
    }
    if json {
      lines.finish(summary, timeline: timeline, write: Self.writeStandardOutput)
      // People watching the terminal see damage too; the end line tells scripts.
      if summary.damage != nil { Terminal.writeError(WALFindReport.endLine(summary, timeline: timeline)) }
    } else {
      table.finish(timeline: timeline, write: Self.writeStandardOutput)
      Terminal.writeError(WALFindReport.endLine(summary, timeline: timeline))
    }
    return leftOut
  }

  /// The line saying how many events no restorable window reaches were left out; `nil` when
  /// none were.
  static func leftOutLine(_ count: Int, reach: RestorableReach, base: String) -> String? {
    guard count > 0 else { return nil }
    if reach.isEmpty {
      return "pitr: warning: no backup in \(base) can restore along timeline \(reach.timeline), so "
        + "all \(grouped(count)) events were left out (--all shows them)\n"
    }
    return "pitr: \(grouped(count)) \(count == 1 ? "event" : "events") outside every restorable "
      + "window of the backups left out (--all shows them)\n"
  }

  /// `12431` as `12,431`, whatever the locale.
  static func grouped(_ number: Int) -> String {
    var digits = Array(String(number))
    var index = digits.count - 3
    while index > 0 {
      digits.insert(",", at: index)
      index -= 3
    }
    return String(digits)
  }

  /// The backups folder (when known) and the archive's folders: `--plan`'s `backups`, or
  /// `--base` and `--wal`.
  func repository() throws -> (base: String?, wal: [String]) {
    guard let plan else { return (base.map(absolutePath), archive.wal.map(absolutePath)) }
    let pipeline = PlanPipeline(output: output, useCache: !archive.noCache)
    let (loaded, source) = try pipeline.load(plan)
    try pipeline.requireReadableLocations(loaded, source: source, file: plan)
    return (loaded.backups.base.value, loaded.backups.wal.map(\.value))
  }

  /// The catalog of `base` and the archive: its windows say what a restore can reach.
  func loadCatalog(base: String, folders: [String]) throws -> Catalog {
    try Folders.requireExisting([base] + folders)
    let cache = CatalogCache.forFolders([base] + folders, enabled: !archive.noCache)
    let catalog = Catalog.scan(base: base, wal: folders, cache: cache)
    if catalog.archive.segments.isEmpty {
      Terminal.writeError("pitr: error: no WAL segments in \(folders.joined(separator: ", "))\n")
      throw PITRExitCode.usage
    }
    return catalog
  }

  /// The `timezone` setting the backups agree on, which reads a time given without a zone.
  enum BackupZone {
    case zone(name: String, TimeZone)
    case unknown(name: String)
    case unset
    case disagreeing([String])

    init(_ backups: [BaseBackup]) {
      let names = Set(backups.compactMap(\.timezone)).sorted()
      guard let name = names.first else {
        self = .unset
        return
      }
      guard names.count == 1 else {
        self = .disagreeing(names)
        return
      }
      self = PostgresTimeZone.lookUp(name).map { .zone(name: name, $0) } ?? .unknown(name: name)
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

  /// A time given on the command line, as a plan's `target.time` is written, or a date
  /// alone (`2025-12-24`), its midnight.
  static func time(_ text: String, option: String) throws -> TargetTime {
    let isDate = text.wholeMatch(of: /\d{4}-\d{2}-\d{2}/) != nil
    switch TargetTimeParser.parse(isDate ? text + " 00:00:00" : text) {
    case .failure(let problem):
      let message = isDate ? "'\(text)' is not a valid date" : problem.message
      throw ValidationError("\(option): \(message)")
    case .success(var time):
      time.text = text
      return time
    }
  }

  /// The instant of a time given on the command line: in its own zone, or without one in the
  /// backups' timezone (`zone`, from --base; `validate` refused it without --base).
  static func instant(_ text: String, option: String, zone: BackupZone?) throws -> PostgresTimestamp {
    let time = try time(text, option: option)
    if let date = time.instant() { return PostgresTimestamp(date) }
    let problem: String
    switch zone {
    case .zone(let name, let timeZone):
      if let date = time.instant(defaultZone: timeZone) {
        let instant = PostgresTimestamp(date)
        Terminal.writeError(
          "pitr: note: \(option) '\(text)' has no zone: read in the backups' timezone \(name) = "
            + instant.formatted(in: timeZone) + "\n")
        return instant
      }
      problem = "is not a time in zone \(name)"
    case .unknown(let name):
      problem = "has no zone and the backups' timezone '\(name)' is not a zone pitr knows"
    case .disagreeing(let names):
      problem =
        "has no zone and the backups disagree on timezone (" + names.joined(separator: ", ") + ")"
    case .unset, nil:
      problem = "has no zone and no backup's configuration sets timezone"
    }
    Terminal.writeError(
      "pitr: error: \(option): '\(text)' \(problem); add the zone to the time (-07, UTC or "
        + "America/Phoenix)\n")
    throw PITRExitCode.usage
  }

  /// The relation files of `database.schema.table` in the catalog of the newest full base
  /// backup, and its OID, with notes on standard error.
  static func lookUp(table: String, backups: [BaseBackup], base: String) throws -> (RelationFileLocator, UInt32) {
    let parts = table.split(separator: ".").map(String.init)
    guard let backup = BackupTableLookup.backup(among: backups) else {
      Terminal.writeError(
        "pitr: error: no full base backup in \(base) to read \(table) from; give --source CONNINFO "
          + "to look it up on the live source\n")
      throw PITRExitCode.usage
    }
    do {
      let found = try BackupTableLookup.lookUp(
        database: parts[0], schema: parts[1], table: parts[2], in: backup)
      for note in found.notes { Terminal.writeError("pitr: note: \(note)\n") }
      Terminal.writeError(
        "pitr: note: \(table) is relation \(found.relation) (OID \(found.tableOID)) in the base "
          + "backup \(backup.path); a TRUNCATE, VACUUM FULL or CLUSTER after that backup gives it new "
          + "files, which only --source finds\n")
      return (found.relation, found.tableOID)
    } catch {
      Terminal.writeError("pitr: error: \(error.description)\n")
      throw PITRExitCode.usage
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
