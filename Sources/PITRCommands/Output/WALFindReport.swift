import Catalog
import Foundation
import PostgresVocabulary
import WAL

/// What `pitr wal find` prints besides the table rows (`WALFindTable`): each row's detail,
/// and the targets that stop just before each transaction that made a matching row change.
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

  /// Whether events of `kind` are row changes (which name the end of their transaction).
  static func isRowChange(_ kind: FoundEvent.Kind) -> Bool {
    switch kind {
    case .insert, .update, .delete, .truncate: true
    case .commit, .abort, .restorePoint: false
    }
  }

  /// Committed transactions that made the row changes found, once each.
  static func transactionsToAvoid(_ events: [FoundEvent]) -> [FoundEvent.TransactionEnd] {
    var seen = Set<LSN>()
    return events.compactMap { event in
      guard isRowChange(event.kind),
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

  /// The line `pitr wal find` ends with on standard error: how far it read, and why it
  /// stopped, damage told as damage.
  static func endLine(_ result: WALSearch.Summary, timeline: TimelineID) -> String {
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
