import Archives
import WAL

/// Reads one archived segment and summarises it. A record that starts in the segment and
/// ends in the next is finished from the next segment's file when there is one.
enum SegmentSummarizer {
  /// Stops the reader once it has gone past the segment.
  private struct PastSegment: Error {}

  static func summarize(
    _ segment: ArchivedSegment, next: ArchivedSegment?, size: WALSegmentSize
  ) -> SegmentSummary {
    var summary = SegmentSummary(segment: segment.name)
    guard let range = segment.name.lsnRange(size: size) else { return summary }
    let files = [segment] + (next.map { [$0] } ?? [])
    let reader = WALReader(
      provider: WALFileList(files: files.map { ($0.name, $0.path) }))
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
    // Running out inside this segment (not merely at its end) means the WAL ends here.
    if end.lsn < range.upperBound, !isSegmentBoundaryEnd(end) {
      summary.endOfWAL = end.description
    }
    return summary
  }

  /// Whether the reader stopped only because the next segment is absent.
  private static func isSegmentBoundaryEnd(_ end: EndOfWAL) -> Bool {
    if case .missingSegment = end.reason { return true }
    return false
  }
}
