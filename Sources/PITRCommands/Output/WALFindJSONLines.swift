import Catalog
import PostgresVocabulary
import WAL

/// `pitr wal find --json`, written as the search goes: one compact JSON object a line (its
/// schema is docs/wal-find.schema.json), formatted straight into one byte buffer handed on in
/// chunks of about 1 MiB, so a listing of millions of events streams at about the speed of
/// the table and in flat memory. An event line for each event, in WAL order; a target line
/// (the plan target that stops just before a committed transaction that made a matching row
/// change) once that transaction's last line is written; the end line last.
struct WALFindJSONLines {
  /// The buffer is handed on when it holds this much.
  static let chunkSize = 1 << 20

  private var buffer: [UInt8] = []
  private var times = PostgresTimestamp.UTCFormatter()
  /// The last segment name written, and its text (thousands of lines share one).
  private var segment: WALSegmentName?
  private var segmentText: [UInt8] = []
  /// Targets not written yet, by the LSN of their transaction's commit, in LSN order: each is
  /// written before the first line past its commit. Few wait at once (open transactions).
  private var targetsDue: [FoundEvent.TransactionEnd] = []
  /// How many event lines were written.
  private(set) var events = 0

  init() { buffer.reserveCapacity(Self.chunkSize + (4 << 10)) }

  /// Writes the line of `event` (and the targets it follows), handing the buffer to `write`
  /// when full.
  mutating func add(_ event: FoundEvent, write: (UnsafeRawBufferPointer) -> Void) {
    writeTargets(before: event.lsn)
    appendEvent(event)
    events += 1
    if WALFindReport.isRowChange(event.kind), let end = event.transactionEnd, end.outcome == .commit {
      let index = targetsDue.partitioningIndex { $0.lsn >= end.lsn }
      if index == targetsDue.count || targetsDue[index].lsn != end.lsn { targetsDue.insert(end, at: index) }
    }
    // A commit's own line comes before the target that stops just before it.
    writeTargets(before: LSN(rawValue: event.lsn.rawValue &+ 1))
    if buffer.count >= Self.chunkSize { flush(write) }
  }

  /// Writes the targets still due and the end line, then hands the rest on.
  mutating func finish(
    _ summary: WALSearch.Summary, timeline: TimelineID, write: (UnsafeRawBufferPointer) -> Void
  ) {
    writeTargets(before: nil)
    append(#"{"type":"end","timeline":"#)
    appendDecimal(UInt64(timeline.rawValue))
    append(#","events":"#)
    appendDecimal(UInt64(events))
    append(#","endOfWAL":"#)
    appendString(summary.end.description)
    append(#","readUpTo":""#)
    summary.end.lsn.appendDescription(to: &buffer)
    append("\"")
    if let damage = summary.damage {
      append(#","damage":{"segment":""#)
      damage.segment.appendDescription(to: &buffer)
      append(#"","path":"#)
      appendString(damage.path)
      append(#","lsn":""#)
      damage.lsn.appendDescription(to: &buffer)
      append(#"","reason":"#)
      appendString(damage.reason)
      append(#","laterSegments":"#)
      appendDecimal(UInt64(damage.laterSegments))
      if let last = damage.lastSegment {
        append(#","lastSegment":""#)
        last.appendDescription(to: &buffer)
        append("\"")
      }
      append("}")
    }
    append("}\n")
    flush(write)
  }

  private mutating func flush(_ write: (UnsafeRawBufferPointer) -> Void) {
    buffer.withUnsafeBytes(write)
    buffer.removeAll(keepingCapacity: true)
  }

  // MARK: - Lines

  private mutating func appendEvent(_ event: FoundEvent) {
    append(#"{"type":"event","kind":""#)
    append(event.kind.rawValue)
    append(#"","lsn":""#)
    event.lsn.appendDescription(to: &buffer)
    append(#"","segment":""#)
    if event.segment != segment {
      segment = event.segment
      segmentText.removeAll(keepingCapacity: true)
      event.segment.appendDescription(to: &segmentText)
    }
    buffer.append(contentsOf: segmentText)
    append("\"")
    if let xid = event.transactionID {
      append(#","transactionID":"#)
      appendDecimal(UInt64(xid))
    }
    if let time = event.time {
      append(#","time":""#)
      times.append(time, to: &buffer)
      append("\"")
    }
    let isRowChange = WALFindReport.isRowChange(event.kind)
    if !isRowChange, event.transactionEnd?.prepared == true { append(#","prepared":true"#) }
    if let name = event.restorePoint {
      append(#","restorePoint":"#)
      appendString(name)
    }
    appendRowChange(event)
    if isRowChange, let end = event.transactionEnd {
      append(end.outcome == .commit ? #","ended":"commit","endLSN":""# : #","ended":"abort","endLSN":""#)
      end.lsn.appendDescription(to: &buffer)
      append("\"")
      if end.transactionID != event.transactionID {
        append(#","topTransactionID":"#)
        appendDecimal(UInt64(end.transactionID))
      }
    }
    append("}\n")
  }

  /// The fields a row change has: its relation, block, rows and truncated tables.
  private mutating func appendRowChange(_ event: FoundEvent) {
    if let relation = event.relation {
      append(#","relation":{"tablespace":"#)
      appendDecimal(UInt64(relation.tablespace))
      append(#","database":"#)
      appendDecimal(UInt64(relation.database))
      append(#","relation":"#)
      appendDecimal(UInt64(relation.relation))
      append("}")
    }
    if let block = event.block {
      append(#","block":"#)
      appendDecimal(UInt64(block))
    }
    if let rows = event.rows {
      append(#","rows":"#)
      appendDecimal(UInt64(rows))
    }
    if let tables = event.truncatedTables {
      append(#","truncatedTables":["#)
      for (index, table) in tables.enumerated() {
        if index > 0 { append(",") }
        appendDecimal(UInt64(table))
      }
      append("]")
    }
  }

  /// Writes the target lines of the transactions that committed before `lsn` (all, for `nil`).
  private mutating func writeTargets(before lsn: LSN?) {
    guard let first = targetsDue.first, lsn.map({ first.lsn < $0 }) ?? true else { return }
    let count = lsn.map { lsn in targetsDue.partitioningIndex { $0.lsn >= lsn } } ?? targetsDue.count
    for end in targetsDue[..<count] {
      append(#"{"type":"target","before":"#)
      appendDecimal(UInt64(end.transactionID))
      append(#","xid":"#)
      appendDecimal(UInt64(end.transactionID))
      append(#","time":""#)
      times.append(end.time, to: &buffer)
      append(#"","inclusive":false}"#)
      append("\n")
    }
    targetsDue.removeFirst(count)
  }

  // MARK: - Values

  private mutating func append(_ text: StaticString) {
    text.withUTF8Buffer { buffer.append(contentsOf: $0) }
  }

  private mutating func append(_ text: String) {
    buffer.append(contentsOf: text.utf8)
  }

  private mutating func appendDecimal(_ value: UInt64) {
    buffer.appendDecimal(value)
  }

  /// `text` as a JSON string: quotes, backslashes and control characters escaped.
  private mutating func appendString(_ text: String) {
    buffer.append(UInt8(ascii: "\""))
    for byte in text.utf8 {
      switch byte {
      case UInt8(ascii: "\""), UInt8(ascii: "\\"):
        buffer.append(UInt8(ascii: "\\"))
        buffer.append(byte)
      case UInt8(ascii: "\n"): append(#"\n"#)
      case UInt8(ascii: "\r"): append(#"\r"#)
      case UInt8(ascii: "\t"): append(#"\t"#)
      case 0..<0x20:
        let hex = Array("0123456789abcdef".utf8)
        append(#"\u00"#)
        buffer.append(hex[Int(byte >> 4)])
        buffer.append(hex[Int(byte & 0xF)])
      default:
        buffer.append(byte)
      }
    }
    buffer.append(UInt8(ascii: "\""))
  }
}

extension Array {
  /// The index of the first element for which `belongs` holds, in an array where it holds
  /// for a suffix.
  fileprivate func partitioningIndex(where belongs: (Element) -> Bool) -> Int {
    var low = 0
    var high = count
    while low < high {
      let middle = (low + high) / 2
      if belongs(self[middle]) { high = middle } else { low = middle + 1 }
    }
    return low
  }
}
