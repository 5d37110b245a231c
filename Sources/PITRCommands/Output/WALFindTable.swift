import Catalog
import Foundation
import PostgresVocabulary
import WAL

/// The table `pitr wal find` prints, written fast: a search can find a million and more
/// commits, so each row is formatted straight into one byte buffer (LSNs in hex, xids in
/// decimal, times through a formatter that keeps the current second's text), which is handed
/// on in chunks of about 1 MiB. The columns have fixed widths, so nothing waits for the
/// whole table; the tests check it against the `String` renderer it replaced.
struct WALFindTable {
  /// The widths of the columns before the last, in bytes; longer cells push the rest along.
  static let widths = [12, 13, 10, 30, 24]
  /// The buffer is handed on when it holds this much.
  static let chunkSize = 1 << 20

  private var buffer: [UInt8] = []
  private var times = PostgresTimestamp.UTCFormatter()
  /// The last segment name written, and its text (thousands of rows share one).
  private var segment: WALSegmentName?
  private var segmentText: [UInt8] = []
  /// Where the row and the cell being written start, and the cell's column.
  private var rowStart = 0
  private var cellStart = 0
  private var column = 0

  /// The committed transactions that made the row changes written, once each, for the
  /// targets after the table.
  private var transactionsToAvoid: [FoundEvent.TransactionEnd] = []
  private var avoided = Set<LSN>()
  private var rows = 0

  init() { buffer.reserveCapacity(Self.chunkSize + (4 << 10)) }

  /// Writes the table of `events`, then the targets before each transaction that made a
  /// row change found, through `write`.
  static func render(
    _ events: [FoundEvent], timeline: TimelineID, write: (UnsafeRawBufferPointer) -> Void
  ) {
    var table = WALFindTable()
    for event in events { table.add(event, write: write) }
    table.finish(timeline: timeline, write: write)
  }

  /// Adds the row of `event` (the header first), handing the buffer to `write` when full.
  mutating func add(_ event: FoundEvent, write: (UnsafeRawBufferPointer) -> Void) {
    if rows == 0 { row(["LSN", "KIND", "XID", "TIME (UTC)", "SEGMENT", "DETAIL"]) }
    rows += 1
    row(event)
    if WALFindReport.isRowChange(event.kind), let end = event.transactionEnd, end.outcome == .commit,
      avoided.insert(end.lsn).inserted
    {
      transactionsToAvoid.append(end)
    }
    if buffer.count >= Self.chunkSize {
      buffer.withUnsafeBytes(write)
      buffer.removeAll(keepingCapacity: true)
    }
  }

  /// Writes the rest: the targets, or that nothing matched.
  mutating func finish(timeline: TimelineID, write: (UnsafeRawBufferPointer) -> Void) {
    guard rows > 0 else {
      Array("No matching events on timeline \(timeline).\n".utf8).withUnsafeBytes(write)
      return
    }
    for end in transactionsToAvoid {
      buffer.append(contentsOf: ("\n" + WALFindReport.snippets(for: end)).utf8)
      if buffer.count >= Self.chunkSize {
        buffer.withUnsafeBytes(write)
        buffer.removeAll(keepingCapacity: true)
      }
    }
    buffer.withUnsafeBytes(write)
    buffer.removeAll()
  }

  // MARK: - Rows

  private mutating func row(_ event: FoundEvent) {
    startRow()
    startCell()
    event.lsn.appendDescription(to: &buffer)
    endCell()
    startCell()
    buffer.append(contentsOf: event.kind.rawValue.utf8)
    endCell()
    startCell()
    if let xid = event.transactionID { appendDecimal(xid) }
    endCell()
    startCell()
    if let time = event.time ?? event.transactionEnd?.time { times.append(time, to: &buffer) }
    endCell()
    startCell()
    if event.segment != segment {
      segment = event.segment
      segmentText.removeAll(keepingCapacity: true)
      event.segment.appendDescription(to: &segmentText)
    }
    buffer.append(contentsOf: segmentText)
    endCell()
    startCell()
    appendDetail(event)
    endRow()
  }

  private mutating func row(_ cells: [String]) {
    startRow()
    for cell in cells {
      startCell()
      buffer.append(contentsOf: cell.utf8)
      endCell()
    }
    endRow()
  }

  private mutating func startRow() {
    rowStart = buffer.count
    column = 0
    buffer.append(UInt8(ascii: " "))
  }

  /// Each cell follows one space.
  private mutating func startCell() {
    buffer.append(UInt8(ascii: " "))
    cellStart = buffer.count
  }

  /// Pads the cell to its column's width.
  private mutating func endCell() {
    if column < Self.widths.count {
      let written = buffer.count - cellStart
      if written < Self.widths[column] {
        buffer.append(contentsOf: repeatElement(UInt8(ascii: " "), count: Self.widths[column] - written))
      }
    }
    column += 1
  }

  /// Ends the line without its trailing spaces.
  private mutating func endRow() {
    while buffer.count > rowStart, buffer[buffer.count - 1] == UInt8(ascii: " ") {
      buffer.removeLast()
    }
    buffer.append(UInt8(ascii: "\n"))
  }

  private mutating func appendDecimal(_ value: UInt32) {
    buffer.appendDecimal(UInt64(value))
  }

  /// What the last column says about an event.
  private mutating func appendDetail(_ event: FoundEvent) {
    // Commits and aborts, nearly every row of a long listing, mostly have none.
    if event.kind == .commit || event.kind == .abort, event.transactionEnd?.prepared != true { return }
    buffer.append(contentsOf: WALFindReport.detail(event).utf8)
  }
}
