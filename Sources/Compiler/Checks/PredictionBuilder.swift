import Catalog
import PlanModel
import PostgresVocabulary

/// What PostgreSQL will log when recovery stops, from the evaluated stop point.
enum PredictionBuilder {
  static func predict(
    _ evaluation: TargetEvaluation, action: RecoveryAction, index: WALIndex, catalog: Catalog,
    serverTimeZone: ServerTimeZone
  ) -> Prediction {
    let timeline = evaluation.target.timeline
    let size = catalog.archive.segmentSize ?? .sixteenMiB
    var recoveryStop: RecoveryStop?
    var last: SegmentSummary.TransactionEnd?
    let stop = evaluation.stop
    switch stop {
    case .beforeTransaction(let end):
      recoveryStop = RecoveryStop(
        kind: .transaction(after: false, outcome: end.outcome, transactionID: end.transactionID), time: end.time)
      last = index.lastTransactionEnd(before: end.lsn, along: timeline)
    case .afterTransaction(let end):
      recoveryStop = RecoveryStop(
        kind: .transaction(after: true, outcome: end.outcome, transactionID: end.transactionID), time: end.time)
      last = end
    case .restorePoint(let point):
      recoveryStop = RecoveryStop(kind: .restorePoint(name: point.name), time: point.time)
      last = index.lastTransactionEnd(before: point.lsn, along: timeline)
    case .location(let lsn, let after):
      recoveryStop = RecoveryStop(kind: .location(after: after, lsn: lsn), time: nil)
      last = index.lastTransactionEnd(before: after ? LSN(rawValue: lsn.rawValue + 1) : lsn, along: timeline)
    case .consistency(let lsn):
      recoveryStop = RecoveryStop(kind: .consistency, time: nil)
      last = index.lastTransactionEnd(before: lsn, along: timeline)
    case .endOfWAL:
      recoveryStop = nil
      last = evaluation.window.lastTransaction
    }
    let message = recoveryStop?.logMessage(
      in: serverTimeZone.printingZone, majorVersion: evaluation.backup.pgVersion)
    // PostgreSQL names the last transaction it replayed; none before the backup's start.
    if let replayed = last, replayed.lsn < evaluation.backup.label.startLSN { last = nil }
    // Segments recovery reads, from the backup's start to the stop (or the end of WAL).
    // Archive recovery asks restore_command first, so it fetches every one the archive has,
    // those the backup carries included; only the carried ones the archive lacks come from
    // pg_wal.
    let stopNumber = size.segmentNumber(containing: stop.lsn)
    let (fetched, carried) = segmentsRead(
      evaluation, along: timeline, through: stopNumber, index: index, size: size)
    let needed = (fetched + carried).sorted {
      ($0.segmentNumber(size: size) ?? 0) < ($1.segmentNumber(size: size) ?? 0)
    }
    let stopSegment = WALSegmentName(timeline: timeline, containing: stop.lsn, size: size)
    let tree = TimelineTree(histories: catalog.archive.historyFiles)
    let promotes = action == .promote || action == .promoteIfVerified
    return Prediction(
      stopMessage: message, stopLSN: message == nil ? nil : stop.lsn,
      stopSegment: needed.last { ($0.segmentNumber(size: size) ?? 0) == stopNumber } ?? stopSegment,
      lastCompletedTransaction: last.map {
        Prediction.LastTransaction(transactionID: $0.transactionID, time: $0.time, lsn: $0.lsn)
      },
      serverTimezone: serverTimeZone.name,
      newTimeline: promotes ? TimelineID(tree.latest(from: timeline).rawValue + 1) : nil,
      timelinePath: catalog.archive.historyFiles.isEmpty
        ? nil : timelinePath(to: timeline, from: evaluation.backup.label.startTimeline, tree: tree),
      segmentsToFetch: fetched.count, bytesToFetch: Int64(fetched.count) * Int64(size.bytes),
      firstSegment: needed.first, lastSegment: needed.last,
      segmentsFromBackup: carried.isEmpty ? nil : carried)
  }

  /// The timelines from the backup's (`start`) to `timeline`, oldest first.
  private static func timelinePath(
    to timeline: TimelineID, from start: TimelineID, tree: TimelineTree
  ) -> [Prediction.TimelineLeg] {
    let steps = (tree.path(to: timeline) ?? []).reversed().drop { $0.timeline != start }
    guard !steps.isEmpty else { return [Prediction.TimelineLeg(timeline: timeline, begins: nil)] }
    return steps.enumerated().map { offset, step in
      Prediction.TimelineLeg(timeline: step.timeline, begins: offset == 0 ? nil : step.begins)
    }
  }

  /// The segments recovery reads along `timeline` from the backup's start through segment
  /// `last`, in order, up to the first it cannot find: those the archive has (fetched), and
  /// those only the backup carries (read from `pg_wal`).
  private static func segmentsRead(
    _ evaluation: TargetEvaluation, along timeline: TimelineID, through last: UInt64,
    index: WALIndex, size: WALSegmentSize
  ) -> (fetched: [WALSegmentName], carried: [WALSegmentName]) {
    let included = Dictionary(
      evaluation.backup.includedSegments.compactMap { name in
        name.segmentNumber(size: size).map { ($0, name) }
      }, uniquingKeysWith: { first, _ in first })
    var fetched: [WALSegmentName] = []
    var carried: [WALSegmentName] = []
    var number = size.segmentNumber(containing: evaluation.backup.label.startLSN)
    while number <= last {
      let run = index.segments(along: timeline, from: size.startLSN(ofSegment: number))
        .prefix { ($0.segmentNumber(size: size) ?? .max) <= last }
      if let first = run.first, first.segmentNumber(size: size) == number {
        fetched += run
        number += UInt64(run.count)
      } else if let name = included[number] {
        carried.append(name)
        number += 1
      } else {
        break
      }
    }
    return (fetched, carried)
  }
}
