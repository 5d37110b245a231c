import PostgresVocabulary
import WAL

/// Finds events in the archived WAL along one timeline: commits, aborts, restore points and
/// row changes, filtered by time, transaction, relation and kind. Row changes are reported
/// with the end of their transaction, which is what a recovery target can name.
public struct WALSearch {
  /// What to look for; every criterion given must match.
  public struct Criteria: Sendable {
    /// Transaction ends (and the row changes of transactions that ended) at or after this.
    public var from: PostgresTimestamp?
    /// … and at or before this.
    public var to: PostgresTimestamp?
    /// Only this transaction (its subtransactions included).
    public var transactionID: UInt32?
    /// Only row changes of this relation and the ends of their transactions (with
    /// `kinds: [.commit]`, the commits of the transactions that changed it). A TRUNCATE
    /// names its database and its tables' OIDs instead of relfilenodes: it matches when its
    /// database is the relation's and its tables include `tableOID`.
    public var relation: RelationFileLocator?
    /// The relation's table OID, for TRUNCATEs; `nil` takes the relfilenode for it (the two
    /// are equal until the table's first TRUNCATE, VACUUM FULL or CLUSTER).
    public var tableOID: UInt32?
    /// Only these kinds; empty means all.
    public var kinds: Set<FoundEvent.Kind>

    public init(
      from: PostgresTimestamp? = nil, to: PostgresTimestamp? = nil, transactionID: UInt32? = nil,
      relation: RelationFileLocator? = nil, tableOID: UInt32? = nil,
      kinds: Set<FoundEvent.Kind> = []
    ) {
      self.from = from
      self.to = to
      self.transactionID = transactionID
      self.relation = relation
      self.tableOID = tableOID
      self.kinds = kinds
    }
  }

  public let archive: WALArchive
  public let timeline: TimelineID

  public init(archive: WALArchive, timeline: TimelineID) {
    self.archive = archive
    self.timeline = timeline
  }

  /// The result: events in WAL order, and where reading stopped.
  public struct Result: Sendable {
    public var events: [FoundEvent]
    public var end: EndOfWAL
    /// Set when reading stopped at damage rather than at the end of the WAL: a record or
    /// page that does not decode with archived segments after it, or a file that is short or
    /// cannot be read.
    public var damage: Damage?
  }

  /// Where reading stopped, once every event was handed on.
  public struct Summary: Sendable {
    public var end: EndOfWAL
    /// As `Result.damage`.
    public var damage: Damage?
  }

  /// Where the WAL stops being readable before the end of the archive.
  public struct Damage: Hashable, Sendable, Codable {
    /// The segment whose bytes do not decode, and its file.
    public var segment: WALSegmentName
    public var path: String
    public var lsn: LSN
    public var reason: String
    /// How many archived segments along the timeline come after it (unread), and the last.
    public var laterSegments: Int
    public var lastSegment: WALSegmentName?
  }

  /// Reads the timeline's WAL and returns what matches; `nil` when the timeline has no WAL.
  public func run(_ criteria: Criteria) throws -> Result? {
    var events: [FoundEvent] = []
    guard let summary = try run(criteria, found: { events.append($0) }) else { return nil }
    return Result(events: events, end: summary.end, damage: summary.damage)
  }

  /// Reads the timeline's WAL and hands each event that matches to `found`, in WAL order, as
  /// the reading goes; `nil` (and no event) when the timeline has no WAL. A row change is
  /// handed on when its transaction ends, so events after the first row change whose
  /// transaction is still open wait for it: memory holds only those, whatever the WAL's size.
  ///
  /// - Throws: what `found` throws, which stops the reading.
  public func run(_ criteria: Criteria, found: (FoundEvent) throws -> Void) throws -> Summary? {
    guard let provider = TimelineSegmentProvider(archive: archive, timeline: timeline) else {
      return nil
    }
    let reader = WALReader(provider: provider)
    var collector = Collector(criteria: criteria)
    let end = try reader.read { record in
      collector.visit(record)
      try collector.release(found)
    }
    collector.addUnended()
    try collector.release(found)
    return Summary(end: end, damage: damage(at: end))
  }

  /// The damage `end` is, when it is: reading stopped inside the archived WAL (not at a
  /// missing segment) with segments along the timeline after the one that failed, or in a
  /// file that is short or unreadable.
  private func damage(at end: EndOfWAL) -> Damage? {
    let size = archive.segmentSize ?? .sixteenMiB
    guard let segment = end.segment,
      let chainBreak = WALChainBreak(end, segment: segment, floor: .invalid),
      let number = segment.segmentNumber(size: size),
      let path = TimelineTree(histories: archive.historyFiles).path(to: timeline)
    else { return nil }
    let onPath = Set(path.map(\.timeline))
    let later = archive.segments.filter {
      onPath.contains($0.name.timeline) && ($0.name.segmentNumber(size: size) ?? 0) > number
    }
    guard !later.isEmpty || chainBreak.isBadFile else { return nil }
    // The numbers after it, once each (a number may be archived on two timelines).
    let numbers = Set(later.compactMap { $0.name.segmentNumber(size: size) })
    return Damage(
      segment: segment,
      path: archive.segments.first { $0.name == segment }?.path ?? "?", lsn: end.lsn,
      reason: chainBreak.reason, laterSegments: numbers.count,
      lastSegment: later.max {
        ($0.name.segmentNumber(size: size) ?? 0, $0.name.timeline) < (
          $1.name.segmentNumber(size: size) ?? 0, $1.name.timeline
        )
      }?.name)
  }

  /// Gathers matches while the reader walks the WAL, and hands them on in WAL order.
  private struct Collector {
    let criteria: Criteria
    /// Matches not handed on yet: a row change found earlier in the WAL may still come before
    /// them, once its transaction ends.
    var held: [FoundEvent] = []
    /// Whether `held` is in WAL order (row changes are added when their transaction ends),
    /// and its first LSN.
    var isInOrder = true
    var heldMinimum: LSN?
    /// Row changes waiting for the end of their transaction, by the xid that wrote them.
    var pending: [UInt32: [FoundEvent]] = [:]
    /// Each xid of `pending` with its first change's LSN, in WAL order, from `pendingHead`
    /// on; entries whose transaction has ended are skipped when met.
    private var pendingStarts: [(xid: UInt32, lsn: LSN)] = []
    private var pendingHead = 0
    /// Whether any row change can match: heap records are not decoded otherwise.
    private let wantsRowChanges: Bool
    /// The latest transaction end time seen: row changes still pending at the end of the WAL
    /// were made around or after it.
    private var latestEnd: PostgresTimestamp?

    init(criteria: Criteria) {
      self.criteria = criteria
      // With a relation, its row changes also say which commits and aborts are its.
      wantsRowChanges =
        criteria.kinds.isEmpty || !criteria.kinds.isDisjoint(with: [.insert, .update, .delete, .truncate])
        || criteria.relation != nil
    }

    mutating func visit(_ record: WALRecord) {
      // Most records are neither transaction ends, restore points nor row changes.
      switch record.resourceManager {
      case ResourceManager.transaction, ResourceManager.xlog:
        break
      case ResourceManager.heap, ResourceManager.heap2:
        guard wantsRowChanges else { return }
      default:
        return
      }
      guard let event = record.event else { return }
      // The file it was read from: a page's timeline is the parent's on a child's copy of the
      // segment holding its switch point, records of the child included.
      let segment = record.segment
      switch event {
      case .transactionEnd(let end):
        let kind: FoundEvent.Kind = end.outcome == .commit ? .commit : .abort
        let ended = FoundEvent.TransactionEnd(
          outcome: end.outcome, transactionID: end.transactionID, time: end.time, lsn: record.lsn,
          prepared: end.prepared)
        let inWindow = isInWindow(end.time)
        if latestEnd.map({ end.time > $0 }) ?? true { latestEnd = end.time }
        let isWanted = matchesTransaction(end.transactionID, end.subtransactions)
        // Row changes of this transaction or its subtransactions now know how it ended.
        var hadChanges = false
        for xid in [end.transactionID] + end.subtransactions {
          guard let changes = pending.removeValue(forKey: xid), inWindow else { continue }
          for var change in changes
          where isWanted || change.transactionID == criteria.transactionID {
            hadChanges = true
            guard wants(change.kind) else { continue }
            change.transactionEnd = ended
            add(change)
          }
        }
        guard inWindow, wants(kind), isWanted, criteria.relation == nil || hadChanges else {
          return
        }
        add(
          FoundEvent(
            kind: kind, lsn: record.lsn, segment: segment, transactionID: end.transactionID,
            time: end.time, transactionEnd: ended))
      case .restorePoint(let point):
        guard wants(.restorePoint), criteria.transactionID == nil, criteria.relation == nil,
          isInWindow(point.time)
        else { return }
        add(
          FoundEvent(
            kind: .restorePoint, lsn: record.lsn, segment: segment, time: point.time,
            restorePoint: point.name))
      case .rowChange(let change):
        let kind: FoundEvent.Kind
        switch change.kind {
        case .insert: kind = .insert
        case .update: kind = .update
        case .delete: kind = .delete
        case .truncate: kind = .truncate
        }
        if let relation = criteria.relation {
          guard isChange(change, of: relation) else { return }
        } else {
          guard wants(kind) else { return }
        }
        // Kept until the transaction (or subtransaction) that wrote it ends.
        if pending[record.transactionID] == nil {
          pendingStarts.append((record.transactionID, record.lsn))
        }
        pending[record.transactionID, default: []].append(
          FoundEvent(
            kind: kind, lsn: record.lsn, segment: segment, transactionID: record.transactionID,
            relation: change.relation, block: change.block, rows: change.rows,
            truncatedTables: change.truncatedTables))
      default:
        return
      }
    }

    /// Adds the row changes whose transaction had not ended when the WAL ran out (still
    /// running, or its end not archived yet), without an end. They have no time of their own:
    /// they are taken unless `to` is before a transaction end already seen, which they follow.
    mutating func addUnended() {
      if let to = criteria.to, let latestEnd, latestEnd > to { return }
      let unended = pending.values.joined().filter { change in
        wants(change.kind) && (criteria.transactionID.map { change.transactionID == $0 } ?? true)
      }
      for change in unended.sorted(by: { $0.lsn < $1.lsn }) { add(change) }
      pending = [:]
    }

    /// Whether a row change is `relation`'s: by its files, or for a TRUNCATE by database and
    /// table OID.
    private func isChange(_ change: WALEvent.RowChange, of relation: RelationFileLocator) -> Bool {
      guard change.kind == .truncate else { return change.relation == relation }
      return change.database == relation.database
        && change.truncatedTables.contains(criteria.tableOID ?? relation.relation)
    }

    private mutating func add(_ event: FoundEvent) {
      if let last = held.last, event.lsn < last.lsn { isInOrder = false }
      if heldMinimum.map({ event.lsn < $0 }) ?? true { heldMinimum = event.lsn }
      held.append(event)
    }

    /// Hands on, in WAL order, the matches before the first row change still waiting for
    /// its transaction (all of them when none waits).
    mutating func release(_ found: (FoundEvent) throws -> Void) throws {
      guard let first = heldMinimum else { return }
      let waiting = firstPendingLSN()
      if let waiting, first >= waiting { return }
      if !isInOrder {
        held.sort { $0.lsn < $1.lsn }
        isInOrder = true
      }
      var count = 0
      for event in held {
        if let waiting, event.lsn >= waiting { break }
        try found(event)
        count += 1
      }
      if count == held.count {
        held.removeAll(keepingCapacity: held.count < 1 << 12)
      } else if count > 0 {
        held.removeFirst(count)
      }
      heldMinimum = held.first?.lsn
    }

    /// The LSN of the first row change still waiting for its transaction to end.
    private mutating func firstPendingLSN() -> LSN? {
      while pendingHead < pendingStarts.count {
        let (xid, lsn) = pendingStarts[pendingHead]
        if let changes = pending[xid], changes.first?.lsn == lsn {
          if pendingHead >= 1 << 12, pendingHead * 2 >= pendingStarts.count {
            pendingStarts.removeFirst(pendingHead)
            pendingHead = 0
          }
          return lsn
        }
        pendingHead += 1
      }
      pendingStarts.removeAll(keepingCapacity: true)
      pendingHead = 0
      return nil
    }

    private func wants(_ kind: FoundEvent.Kind) -> Bool {
      criteria.kinds.isEmpty || criteria.kinds.contains(kind)
    }

    private func isInWindow(_ time: PostgresTimestamp) -> Bool {
      if let from = criteria.from, time < from { return false }
      if let to = criteria.to, time > to { return false }
      return true
    }

    private func matchesTransaction(_ xid: UInt32, _ subtransactions: [UInt32]) -> Bool {
      guard let wanted = criteria.transactionID else { return true }
      return xid == wanted || subtransactions.contains(wanted)
    }
  }
}

/// One event `pitr wal find` reports.
public struct FoundEvent: Hashable, Sendable, Codable {
  public enum Kind: String, Hashable, Sendable, Codable, CaseIterable {
    case commit, abort
    case restorePoint = "restore-point"
    case insert, update, delete, truncate
  }

  /// How a transaction ended, for transaction ends and for the row changes it made.
  public struct TransactionEnd: Hashable, Sendable, Codable {
    public var outcome: WALEvent.TransactionEnd.Outcome
    public var transactionID: UInt32
    public var time: PostgresTimestamp
    /// The commit or abort record.
    public var lsn: LSN
    public var prepared: Bool
  }

  public var kind: Kind
  public var lsn: LSN
  public var segment: WALSegmentName
  /// The transaction that wrote the record (a subtransaction's xid for its row changes).
  public var transactionID: UInt32?
  /// The record's own time: commits, aborts and restore points have one.
  public var time: PostgresTimestamp?
  public var restorePoint: String?
  public var relation: RelationFileLocator?
  public var block: UInt32?
  public var rows: Int?
  public var truncatedTables: [UInt32]?
  /// For row changes: how their transaction ended (absent when it had not ended in the WAL
  /// read, or rolled back as part of a subtransaction).
  public var transactionEnd: TransactionEnd?

  public init(
    kind: Kind, lsn: LSN, segment: WALSegmentName, transactionID: UInt32? = nil,
    time: PostgresTimestamp? = nil, restorePoint: String? = nil,
    relation: RelationFileLocator? = nil, block: UInt32? = nil, rows: Int? = nil,
    truncatedTables: [UInt32]? = nil, transactionEnd: TransactionEnd? = nil
  ) {
    self.kind = kind
    self.lsn = lsn
    self.segment = segment
    self.transactionID = transactionID
    self.time = time
    self.restorePoint = restorePoint
    self.relation = relation
    self.block = block
    self.rows = rows
    self.truncatedTables = truncatedTables.flatMap { $0.isEmpty ? nil : $0 }
    self.transactionEnd = transactionEnd
  }
}
