import PostgresVocabulary
import Storage
import WAL

/// Which archived file recovery reads for each segment number along a timeline's path
/// (FORMATS.md §5.2): the newest timeline of the path that has begun by that segment whose
/// file exists, else an older one, never going below the timeline of the previous file.
struct SegmentResolver {
  let path: [TimelineTree.Step]
  let size: WALSegmentSize
  let available: Set<WALSegmentName>

  /// The segment's file name, or `nil` when recovery would find none.
  func file(for number: UInt64, notBelow floor: TimelineID) -> WALSegmentName? {
    for step in path where step.timeline >= floor {
      guard size.segmentNumber(containing: step.begins) <= number else { continue }
      let name = WALSegmentName(timeline: step.timeline, segmentNumber: number, size: size)
      if available.contains(name) { return name }
    }
    return nil
  }

  /// The timeline whose file recovery would want first for segment `number`.
  func expectedTimeline(for number: UInt64) -> TimelineID {
    path.first { size.segmentNumber(containing: $0.begins) <= number }?.timeline
      ?? path.last?.timeline ?? TimelineID(1)
  }
}

/// Feeds a `WALReader` the archived segments along one timeline's path, from a given segment
/// on, the way recovery would fetch them.
public struct TimelineSegmentProvider: WALSegmentProvider {
  private let resolver: SegmentResolver
  private let paths: [WALSegmentName: String]
  private var nextNumber: UInt64
  private var previousTimeline: TimelineID

  /// Reads along `timeline` (its history must be archived) starting at segment `start`, or
  /// at the first archived segment of the path.
  public init?(archive: WALArchive, timeline: TimelineID, startingAt start: UInt64? = nil) {
    let tree = TimelineTree(histories: archive.historyFiles)
    guard let path = tree.path(to: timeline) else { return nil }
    let size = archive.segmentSize ?? .sixteenMiB
    let onPath = Set(path.map(\.timeline))
    let names = archive.segments.map(\.name).filter { onPath.contains($0.timeline) }
    resolver = SegmentResolver(path: path, size: size, available: Set(names))
    paths = Dictionary(archive.segments.map { ($0.name, $0.path) }, uniquingKeysWith: { first, _ in first })
    guard let first = start ?? names.compactMap({ $0.segmentNumber(size: size) }).min() else {
      return nil
    }
    nextNumber = first
    previousTimeline = path.last?.timeline ?? timeline
  }

  public mutating func segment(number: UInt64?, size: WALSegmentSize?) throws -> WALSegmentFile? {
    let wanted = number ?? nextNumber
    guard let name = resolver.file(for: wanted, notBelow: previousTimeline), let path = paths[name]
    else { return nil }
    previousTimeline = name.timeline
    nextNumber = wanted + 1
    return try Self.openSegment(name, path: path)
  }
}

extension TimelineSegmentProvider {
  /// Opens a segment file: a local one as `WALSegmentFile.open` does, a remote one through
  /// the run's store.
  static func openSegment(_ name: WALSegmentName, path: String) throws -> WALSegmentFile {
    guard RepositoryStores.isRemote(path) else { return try WALSegmentFile.open(name, path: path) }
    return WALSegmentFile(name: name, path: path, stream: try RepositoryStores.current.openDecompressed(path))
  }
}
