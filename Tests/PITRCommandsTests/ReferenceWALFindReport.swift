import PostgresVocabulary

@testable import Catalog
@testable import PITRCommands

/// The `String` renderer `pitr wal find` used before `WALFindTable`, kept as the reference
/// the byte-buffer table must equal.
enum ReferenceWALFindReport {
  /// Writes the report in pieces through `write` (a search can find a million commits, so
  /// columns have fixed widths and nothing waits for the whole table).
  static func render(_ result: WALSearch.Result, timeline: TimelineID, write: (String) -> Void) {
    guard !result.events.isEmpty else {
      write("No matching events on timeline \(timeline).\n")
      return
    }
    var buffer = ""
    /// Appends one row: cells padded to their column's width (all ASCII but the last).
    func appendRow(_ cells: [String]) {
      let widths = [12, 13, 10, 30, 24]
      var line = " "
      for (index, cell) in cells.enumerated() {
        line += " "
        line += cell
        if index < widths.count, cell.utf8.count < widths[index] {
          line += String(repeating: " ", count: widths[index] - cell.utf8.count)
        }
      }
      while line.utf8.last == UInt8(ascii: " ") { line.removeLast() }
      buffer += line
      buffer += "\n"
    }
    appendRow(["LSN", "KIND", "XID", "TIME (UTC)", "SEGMENT", "DETAIL"])
    for event in result.events {
      appendRow([
        event.lsn.description, event.kind.rawValue, event.transactionID.map(String.init) ?? "",
        (event.time ?? event.transactionEnd?.time).map(\.description) ?? "", event.segment.description,
        WALFindReport.detail(event),
      ])
      if buffer.utf8.count > 1 << 16 {
        write(buffer)
        buffer = ""
      }
    }
    write(buffer)
    for end in WALFindReport.transactionsToAvoid(result.events) {
      write("\n" + WALFindReport.snippets(for: end))
    }
  }

}
