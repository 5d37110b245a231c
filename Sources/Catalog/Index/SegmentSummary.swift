import PostgresVocabulary
import WAL

/// What one WAL segment holds that recovery targets depend on, read once and cached: its
/// transaction ends (first, last, earliest, latest, counts, xid range) and restore points.
public struct SegmentSummary: Hashable, Sendable, Codable {
  /// A commit or abort, by where it is, whose it is and when.
  public struct TransactionEnd: Hashable, Sendable, Codable {
    public var lsn: LSN
    public var transactionID: UInt32
    public var time: PostgresTimestamp
    public var outcome: WALEvent.TransactionEnd.Outcome
  }

  public struct RestorePoint: Hashable, Sendable, Codable {
    public var name: String
    public var lsn: LSN
    public var time: PostgresTimestamp
  }

  public var segment: WALSegmentName
  /// The first and last transaction ends in WAL order (commit times are not quite in WAL
  /// order: a transaction may take its time just before another commits first).
  public var first: TransactionEnd?
  public var last: TransactionEnd?
  /// The earliest and latest commit/abort times in the segment.
  public var earliest: PostgresTimestamp?
  public var latest: PostgresTimestamp?
  public var commits: Int
  public var aborts: Int
  /// The smallest and largest xid that ended here (subtransactions included).
  public var lowestTransactionID: UInt32?
  public var highestTransactionID: UInt32?
  public var restorePoints: [RestorePoint]
  /// Where valid WAL ends inside this segment, when it does (a partial or damaged segment).
  public var endOfWAL: String?
  /// Where the chain of valid records stops, when it does before the segment's end or at
  /// its boundary with the next (that segment's first page or record): a damaged or partly
  /// written segment. `nil` when the segment reads to its end.
  public var chainBreak: WALChainBreak?
  /// Whether reading stopped at the segment's end only because the next segment was not
  /// archived, so the records across that boundary are unchecked: the summary is made again
  /// once the next segment is there.
  public var awaitsNextSegment: Bool

  init(segment: WALSegmentName) {
    self.segment = segment
    commits = 0
    aborts = 0
    awaitsNextSegment = false
    restorePoints = []
  }

  mutating func add(_ end: WALEvent.TransactionEnd, at lsn: LSN) {
    let summary = TransactionEnd(
      lsn: lsn, transactionID: end.transactionID, time: end.time, outcome: end.outcome)
    if first == nil { first = summary }
    last = summary
    earliest = min(earliest ?? end.time, end.time)
    latest = max(latest ?? end.time, end.time)
    if end.outcome == .commit { commits += 1 } else { aborts += 1 }
    for xid in [end.transactionID] + end.subtransactions {
      lowestTransactionID = min(lowestTransactionID ?? xid, xid)
      highestTransactionID = max(highestTransactionID ?? xid, xid)
    }
  }
}
