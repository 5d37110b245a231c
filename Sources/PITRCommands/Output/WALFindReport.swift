import Catalog
import Foundation
import PostgresVocabulary
import WAL

/// What `pitr wal find` prints besides the table rows (`WALFindTable`): each row's detail,
/// the targets that stop just before each transaction that made a matching row change, and
/// the JSON document.
enum WALFindReport {
  /// The DETAIL cell of an event's row.
  static func detail(_ event: FoundEvent) -> String {
    switch event.kind {
    case .restorePoint:
      return "\"\(event.restorePoint ?? "")\""
    case .commit, .abort:
      return event.transactionEnd?.prepared == true ? "prepared transaction" : ""
    case .insert, .update, .delete, .truncate:
      var text = event.relation.map { "\($0)" } ?? ""
      if let tables = event.truncatedTables { text = "tables " + tables.map(String.init).joined(separator: ", ") }
      if let block = event.block { text += " block \(block)" }
      if let rows = event.rows, rows > 1 { text += " (\(rows) rows)" }
      if let end = event.transactionEnd {
        text += ", \(end.outcome == .commit ? "committed" : "aborted") at \(end.lsn)"
      } else {
        text += ", transaction not ended in the WAL read"
      }
      return text
    }
  }

  /// Committed transactions that made the row changes found, once each.
  static func transactionsToAvoid(_ events: [FoundEvent]) -> [FoundEvent.TransactionEnd] {
    var seen = Set<LSN>()
    return events.compactMap { event in
      guard [.insert, .update, .delete, .truncate].contains(event.kind),
        let end = event.transactionEnd, end.outcome == .commit, seen.insert(end.lsn).inserted
      else { return nil }
      return end
    }
  }

  /// The plan targets that stop just before a transaction's commit.
  static func snippets(for end: FoundEvent.TransactionEnd) -> String {
    """
    To restore to just before transaction \(end.transactionID) (committed \(end.time) at \(end.lsn)), use either target:

      target:
        xid: \(end.transactionID)
        inclusive: false

      target:
        time: "\(end.time)"
        inclusive: false

    """
  }

  // MARK: - JSON Lines

  /// One line of `pitr wal find --json`: an event (`type` "event"), a target that stops just
  /// before a transaction that made a matching row change ("target"), and the last line
  /// ("end"). Its schema is docs/wal-find.schema.json.
  struct Line: Encodable {
    var type: String
    var kind: FoundEvent.Kind?
    var lsn: LSN?
    var segment: WALSegmentName?
    var transactionID: UInt32?
    var time: PostgresTimestamp?
    var prepared: Bool?
    var restorePoint: String?
    var relation: RelationFileLocator?
    var block: UInt32?
    var rows: Int?
    var truncatedTables: [UInt32]?
    /// For row changes: how their transaction ended ("commit" or "abort"), the LSN of that
    /// record, and the top-level transaction when the change was a subtransaction's.
    var ended: String?
    var endLSN: LSN?
    var topTransactionID: UInt32?
    // Targets.
    var before: UInt32?
    var xid: UInt32?
    var inclusive: Bool?
    // The end line.
    var timeline: TimelineID?
    var events: Int?
    var endOfWAL: String?
    var readUpTo: LSN?
    var damage: WALSearch.Damage?

    init(type: String) { self.type = type }

    init(_ event: FoundEvent) {
      type = "event"
      kind = event.kind
      lsn = event.lsn
      segment = event.segment
      transactionID = event.transactionID
      time = event.time
      restorePoint = event.restorePoint
      relation = event.relation
      block = event.block
      rows = event.rows
      truncatedTables = event.truncatedTables
      guard let end = event.transactionEnd else { return }
      if event.kind == .commit || event.kind == .abort {
        if end.prepared { prepared = true }
      } else {
        ended = end.outcome == .commit ? "commit" : "abort"
        endLSN = end.lsn
        if end.transactionID != event.transactionID { topTransactionID = end.transactionID }
      }
    }
  }

  /// Writes `pitr wal find --json`: one compact JSON object a line.
  static func writeJSONLines(
    _ result: WALSearch.Result, timeline: TimelineID, write: (String) -> Void
  ) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    var buffer = ""
    func emit(_ line: Line) throws {
      buffer += String(decoding: try encoder.encode(line), as: UTF8.self) + "\n"
      if buffer.utf8.count >= 1 << 16 {
        write(buffer)
        buffer = ""
      }
    }
    for event in result.events { try emit(Line(event)) }
    for end in transactionsToAvoid(result.events) {
      var target = Line(type: "target")
      target.before = end.transactionID
      target.xid = end.transactionID
      target.time = end.time
      target.inclusive = false
      try emit(target)
    }
    var last = Line(type: "end")
    last.timeline = timeline
    last.events = result.events.count
    last.endOfWAL = result.end.description
    last.readUpTo = result.end.lsn
    last.damage = result.damage
    try emit(last)
    write(buffer)
  }

  /// The line `pitr wal find` ends with on standard error: how far it read, and why it
  /// stopped, damage told as damage.
  static func endLine(_ result: WALSearch.Result, timeline: TimelineID) -> String {
    guard let damage = result.damage else {
      return "pitr: read timeline \(timeline) up to the \(result.end)\n"
    }
    var line =
      "pitr: warning: the WAL of timeline \(timeline) stops being readable at \(damage.lsn): "
      + "segment \(damage.segment) (\(damage.path)) is damaged: \(damage.reason); recovery cannot "
      + "read past it either"
    if let last = damage.lastSegment, damage.laterSegments > 0 {
      line +=
        damage.laterSegments == 1
        ? ", and the archived segment after it (\(last)) was not searched"
        : ", and the \(damage.laterSegments) archived segments after it (to \(last)) were not searched"
    }
    return line + "\n"
  }
}
