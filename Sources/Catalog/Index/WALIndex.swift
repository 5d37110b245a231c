import PostgresVocabulary
import Storage
import WAL

/// Answers what recovery targets need to know about the archived WAL, reading each segment
/// at most once (summaries are cached): when a window ends in time, the first transaction
/// end after a time, where a restore point is, and how a transaction ended.
public final class WALIndex {
  public let archive: WALArchive
  private let cache: CatalogCache
  private let size: WALSegmentSize
  private let tree: TimelineTree
  private let byName: [WALSegmentName: ArchivedSegment]
  private var summaries: [WALSegmentName: SegmentSummary] = [:]
  /// The archived segment names, as the resolver wants them; made once, on first use.
  private lazy var available = Set(byName.keys)
  /// Remote segments being read ahead of the summaries (``SegmentReadAhead``).
  private var readAhead: SegmentReadAhead?

  public init(archive: WALArchive, cache: CatalogCache) {
    self.archive = archive
    self.cache = cache
    size = archive.segmentSize ?? .sixteenMiB
    tree = TimelineTree(histories: archive.historyFiles)
    byName = Dictionary(archive.segments.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
  }

  deinit { readAhead?.cancel() }

  // MARK: - Summaries

  /// The summary of an archived segment (from the cache, or read now and cached).
  public func summary(of name: WALSegmentName) -> SegmentSummary? {
    if let known = summaries[name] { return known }
    guard let segment = byName[name] else { return nil }
    let next = segment.name.advanced(by: 1, size: size).flatMap { byName[$0] }
    // A summary made before the next segment was archived has not checked their boundary.
    if let cached = cachedSummary(of: segment, next: next) {
      summaries[name] = cached
      return cached
    }
    if RepositoryStores.isRemote(segment.path), readAhead?.covers(segment.path) != true {
      startReadAhead(from: segment)
    }
    let summary = SegmentSummarizer.summarize(segment, next: next, size: size) { try self.open($0, path: $1) }
    cache.storeSummary(summary, for: segment.file)
    summaries[name] = summary
    return summary
  }

  /// The cached summary of `segment`, unless it was made before `next` was archived.
  private func cachedSummary(of segment: ArchivedSegment, next: ArchivedSegment?) -> SegmentSummary? {
    guard let cached = cache.summary(for: segment.file), !(cached.awaitsNextSegment && next != nil)
    else { return nil }
    return cached
  }

  /// Starts reading ahead the remote segments from `first` on, one after another while they
  /// are archived, that a summary will read: those not summarised yet, and the next of each.
  private func startReadAhead(from first: ArchivedSegment) {
    readAhead?.cancel()
    var files: [StoredFile] = []
    var segment: ArchivedSegment? = first
    var previousRead = false
    while let current = segment, RepositoryStores.isRemote(current.path) {
      let next = current.name.advanced(by: 1, size: size).flatMap { byName[$0] }
      let read = summaries[current.name] == nil && cachedSummary(of: current, next: next) == nil
      if read || previousRead {
        files.append(StoredFile(path: current.path, size: current.size, modified: current.modified))
      }
      previousRead = read
      segment = next
    }
    readAhead = SegmentReadAhead(files: files)
  }

  /// Opens a segment for reading: from what was read ahead when it was, else as usual.
  private func open(_ name: WALSegmentName, path: String) throws -> WALSegmentFile {
    if let bytes = readAhead?.take(path) {
      return WALSegmentFile(name: name, path: path, stream: try RepositoryStores.decompressed(bytes, path: path))
    }
    return try TimelineSegmentProvider.openSegment(name, path: path)
  }

  /// The file of an archived segment.
  public func path(of name: WALSegmentName) -> String? { byName[name]?.path }

  /// The segments recovery reads along `timeline` from the one holding `lsn`, in order, up
  /// to the first missing one.
  public func segments(along timeline: TimelineID, from lsn: LSN) -> [WALSegmentName] {
    guard let path = tree.path(to: timeline) else { return [] }
    let resolver = SegmentResolver(path: path, size: size, available: available)
    var names: [WALSegmentName] = []
    var number = size.segmentNumber(containing: lsn)
    var floor = tree.timeline(owning: lsn, onPathTo: timeline) ?? timeline
    while let name = resolver.file(for: number, notBelow: floor) {
      names.append(name)
      floor = name.timeline
      number += 1
    }
    return names
  }

  /// The segments recovery would ask for along `timeline`, from the one holding `lsn`
  /// through segment number `last`, that are not archived: each named for the timeline
  /// recovery wants it on first, in order.
  public func missingSegments(along timeline: TimelineID, from lsn: LSN, through last: UInt64)
    -> [WALSegmentName]
  {
    guard let path = tree.path(to: timeline) else { return [] }
    let resolver = SegmentResolver(path: path, size: size, available: available)
    var missing: [WALSegmentName] = []
    var number = size.segmentNumber(containing: lsn)
    var floor = tree.timeline(owning: lsn, onPathTo: timeline) ?? timeline
    while number <= last {
      if let name = resolver.file(for: number, notBelow: floor) {
        floor = name.timeline
      } else {
        missing.append(
          WALSegmentName(timeline: resolver.expectedTimeline(for: number), segmentNumber: number, size: size))
      }
      number += 1
    }
    return missing
  }

  // MARK: - Queries

  /// The last transaction end before `lsn` along `timeline`, looking back at most `limit`
  /// segments: the time a window ending at `lsn` reaches.
  public func lastTransactionEnd(before lsn: LSN, along timeline: TimelineID, limit: Int = 64)
    -> SegmentSummary.TransactionEnd?
  {
    guard let path = tree.path(to: timeline) else { return nil }
    let resolver = SegmentResolver(path: path, size: size, available: available)
    var number = size.segmentNumber(endingAt: lsn)
    for _ in 0..<limit {
      if let name = resolver.file(for: number, notBelow: TimelineID(0)), let summary = summary(of: name),
        let last = summary.last
      {
        if last.lsn < lsn { return last }
        // The segment holds `lsn` itself: find the last end before it, in WAL order.
        if let first = summary.first, first.lsn < lsn {
          var found: SegmentSummary.TransactionEnd?
          read(name) { record, event in
            guard record.lsn < lsn else { return false }
            if case .transactionEnd(let end) = event {
              found = .init(
                lsn: record.lsn, transactionID: end.transactionID, time: end.time, outcome: end.outcome)
            }
            return true
          }
          if let found { return found }
        }
      }
      guard number > 0 else { break }
      number -= 1
    }
    return nil
  }

  /// The first commit or abort after `lsn` along `timeline` whose time is later than `time`
  /// (or at least `time`, when `inclusive` is false): where recovery to that time stops.
  public func firstTransactionEnd(
    after time: PostgresTimestamp, inclusive: Bool = true, from lsn: LSN, along timeline: TimelineID
  ) -> SegmentSummary.TransactionEnd? {
    func passes(_ candidate: PostgresTimestamp) -> Bool {
      inclusive ? candidate > time : candidate >= time
    }
    for name in segments(along: timeline, from: lsn) {
      guard let summary = summary(of: name), let latest = summary.latest, passes(latest) else {
        continue
      }
      // The summary says one is here; find the first in WAL order.
      var found: SegmentSummary.TransactionEnd?
      read(name) { record, event in
        guard record.lsn >= lsn, case .transactionEnd(let end) = event, passes(end.time) else {
          return true
        }
        found = .init(lsn: record.lsn, transactionID: end.transactionID, time: end.time, outcome: end.outcome)
        return false
      }
      if let found { return found }
    }
    return nil
  }

  /// Every restore point named `name` along `timeline`, after `lsn`, in WAL order.
  public func restorePoints(named name: String, from lsn: LSN, along timeline: TimelineID)
    -> [SegmentSummary.RestorePoint]
  {
    segments(along: timeline, from: lsn).flatMap { segment in
      (summary(of: segment)?.restorePoints ?? []).filter { $0.name == name && $0.lsn >= lsn }
    }
  }

  /// Where transaction `xid` committed or aborted along `timeline`, after `lsn`.
  public func transactionEnd(of xid: UInt32, from lsn: LSN, along timeline: TimelineID)
    -> SegmentSummary.TransactionEnd?
  {
    for name in segments(along: timeline, from: lsn) {
      guard let summary = summary(of: name), let low = summary.lowestTransactionID,
        let high = summary.highestTransactionID, (low...high).contains(xid)
      else { continue }
      var found: SegmentSummary.TransactionEnd?
      read(name) { record, event in
        guard record.lsn >= lsn, case .transactionEnd(let end) = event,
          end.transactionID == xid || end.subtransactions.contains(xid)
        else { return true }
        found = .init(lsn: record.lsn, transactionID: xid, time: end.time, outcome: end.outcome)
        return false
      }
      if let found { return found }
    }
    return nil
  }

  /// The first record starting at or after `lsn` along `timeline` (what an LSN target
  /// stops at), with the record before it.
  public func firstRecord(atOrAfter lsn: LSN, along timeline: TimelineID) -> (record: LSN, previous: LSN?)? {
    for name in segments(along: timeline, from: lsn) {
      guard let segment = byName[name], let range = name.lsnRange(size: size) else { return nil }
      let next = name.advanced(by: 1, size: size).flatMap { byName[$0] }
      let files = [segment] + (next.map { [$0] } ?? [])
      var found: (LSN, LSN?)?
      var previous: LSN?
      struct Stop: Error {}
      let reader = WALReader(
        provider: WALFileList(files: files.map { ($0.name, $0.path) }, open: { try self.open($0, path: $1) }))
      _ = try? reader.read { record in
        if record.lsn >= lsn {
          found = (record.lsn, previous)
          throw Stop()
        }
        previous = record.lsn
        if record.lsn >= range.upperBound { throw Stop() }
      }
      if let found { return found }
    }
    return nil
  }

  /// Reads the transaction and XLOG records of one segment (finishing a record that runs
  /// into the next); `visit` returns false to stop.
  private func read(_ name: WALSegmentName, _ visit: (WALRecord, WALEvent) -> Bool) {
    guard let segment = byName[name], let range = name.lsnRange(size: size) else { return }
    let next = name.advanced(by: 1, size: size).flatMap { byName[$0] }
    let files = [segment] + (next.map { [$0] } ?? [])
    struct Stop: Error {}
    let reader = WALReader(
      provider: WALFileList(files: files.map { ($0.name, $0.path) }, open: { try self.open($0, path: $1) }))
    _ = try? reader.read { record in
      guard record.lsn < range.upperBound else { throw Stop() }
      guard
        record.resourceManager == ResourceManager.transaction
          || record.resourceManager == ResourceManager.xlog,
        let event = record.event
      else { return }
      if !visit(record, event) { throw Stop() }
    }
  }
}
