import Archives
import PostgresVocabulary
import WAL

/// Reads one archived segment and summarises it. A record that starts in the segment and
/// ends in the next is finished from the next segment's file when there is one.
enum SegmentSummarizer {
  /// Stops the reader once it has gone past the segment.
  private struct PastSegment: Error {}

  static func summarize(
    _ segment: ArchivedSegment, next: ArchivedSegment?, size: WALSegmentSize,
    open: @escaping (WALSegmentName, String) throws -> WALSegmentFile = TimelineSegmentProvider.openSegment
  ) -> SegmentSummary {
    var summary = SegmentSummary(segment: segment.name)
    guard let range = segment.name.lsnRange(size: size) else { return summary }
    let files = [segment] + (next.map { [$0] } ?? [])
    let reader = WALReader(
      provider: WALFileList(files: files.map { ($0.name, $0.path) }, open: open))
    let end: EndOfWAL
    do {
      end = try reader.read { record in
        guard record.lsn < range.upperBound else { throw PastSegment() }
        switch record.resourceManager {
        case ResourceManager.transaction, ResourceManager.xlog:
          break
        default:
          return
        }
        switch record.event {
        case .transactionEnd(let ended)?:
          summary.add(ended, at: record.lsn)
        case .restorePoint(let point)?:
          summary.restorePoints.append(
            SegmentSummary.RestorePoint(name: point.name, lsn: record.lsn, time: point.time))
        default:
          break
        }
      }
    } catch {
      return summary  // went past the segment: it was read to its end
    }
    // Stopping inside this segment, or at the start of the next before any of its records
    // (a bad page header or first record there), breaks the chain; running out of segments
    // only means the boundary is unchecked.
    if let problem = WALChainBreak(end, segment: segment.name, floor: range.lowerBound) {
      summary.chainBreak = problem
      if end.lsn < range.upperBound { summary.endOfWAL = end.description }
    } else {
      summary.awaitsNextSegment = next == nil
    }
    return summary
  }
}
