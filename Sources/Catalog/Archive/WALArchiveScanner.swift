import Archives
import PlanModel
import PostgresVocabulary
import Storage
import WAL

/// Builds a `WALArchive` from the files found under the archive folders: classifies them by
/// name, reads each segment's first page header (through the cache), checks that every file
/// is what its name says, and reports duplicates, strays and gaps.
struct WALArchiveScanner {
  let cache: CatalogCache
  private(set) var diagnostics: [Diagnostic] = []
  /// Segments whose headers name another cluster than the archive's.
  private var otherCluster: [ArchivedSegment] = []
  /// Complete segments' files that cannot be used (unreadable, or short).
  private var unusable: [UnusableSegment] = []
  /// Remote segments' first bytes read ahead of the scan (``prefetchStarts(_:)``).
  private var prefetched: [String: Result<[UInt8], any Error>] = [:]

  init(cache: CatalogCache) { self.cache = cache }

  mutating func scan(directories: [String], files: [ScannedFile]) -> WALArchive {
    var candidates: [(isPartial: Bool, segment: ArchivedSegment)] = []
    var historyFiles: [ArchivedHistoryFile] = []
    var backupHistories: [ArchivedBackupHistory] = []
    prefetchStarts(files)
    for file in files {
      guard let name = WALFileName(file.name) else {
        noteLookalike(file)
        continue
      }
      switch name.kind {
      case .segment(let segment):
        if let (compression, header) = readHeader(file, segment: name.isPartial ? nil : segment) {
          candidates.append(
            (
              name.isPartial,
              ArchivedSegment(
                name: segment, path: file.path, size: file.size, modified: file.modified,
                compression: compression, header: header, version: file.version)
            ))
        }
      case .timelineHistory(let timeline):
        if let history = readHistory(file, timeline: timeline) { historyFiles.append(history) }
      case .backupHistory:
        if let history = readBackupHistory(file) { backupHistories.append(history) }
      }
    }
    let headers = candidates.map(\.segment.header)
    let segmentSize = majority(headers.compactMap { WALSegmentSize(rawValue: $0.segmentSize) })
    let systemIdentifier = majority(headers.map(\.systemIdentifier))
    let version = majority(headers.compactMap(\.majorVersion))
    var complete: [ArchivedSegment] = []
    var partial: [ArchivedSegment] = []
    for (isPartial, segment) in candidates
    where check(segment, segmentSize: segmentSize, systemIdentifier: systemIdentifier) {
      if isPartial { partial.append(segment) } else { complete.append(segment) }
    }
    // Of two files with one name, the one whose path sorts first is kept.
    complete.sort { ($0.name, $0.path) < ($1.name, $1.path) }
    var segments: [ArchivedSegment] = []
    segments.reserveCapacity(complete.count)
    for segment in complete {
      if let kept = segments.last, kept.name == segment.name {
        compareDuplicate(kept, segment)
      } else {
        segments.append(segment)
      }
    }
    return WALArchive(
      directories: directories, segmentSize: segmentSize, majorVersion: version,
      systemIdentifier: systemIdentifier, segments: segments,
      partialSegments: partial.sorted { $0.name < $1.name },
      historyFiles: historyFiles.sorted { $0.timeline < $1.timeline },
      backupHistoryFiles: backupHistories.sorted { $0.startLSN < $1.startLSN },
      timelines: Self.timelineSegments(segments, size: segmentSize ?? .sixteenMiB),
      otherClusterSegments: otherCluster.isEmpty
        ? nil : otherCluster.sorted { ($0.name, $0.path) < ($1.name, $1.path) },
      unusableSegments: unusable.isEmpty
        ? nil : unusable.sorted { ($0.name, $0.path) < ($1.name, $1.path) })
  }

  // MARK: - Segments

  /// The first bytes of the remote segments the cache does not know, read together (one
  /// command over SSH, several GETs at once over S3) instead of one request each.
  private mutating func prefetchStarts(_ files: [ScannedFile]) {
    let wanted = files.filter { file in
      guard RepositoryStores.isRemote(file.path), let name = WALFileName(file.name),
        case .segment = name.kind
      else { return false }
      return cache.segment(for: file) == nil
    }
    guard wanted.count > 1 else { return }
    let starts = RepositoryStores.current.readStarts(
      of: wanted.map { StoredFile(path: $0.path, size: $0.size, modified: $0.modified) },
      length: Int64(SegmentHeaderReader.compressedPrefix))
    for (file, start) in zip(wanted, starts) { prefetched[file.path] = start }
  }

  private mutating func readHeader(_ file: ScannedFile, segment: WALSegmentName?) -> (
    compression: String, header: SegmentHeader
  )? {
    let entry: CatalogCache.SegmentEntry
    if let cached = cache.segment(for: file) {
      entry = cached
    } else {
      switch SegmentHeaderReader.read(path: file.path, start: prefetched.removeValue(forKey: file.path)) {
      case .success(let (compression, header)):
        entry = .header(compression: compression == .none ? "none" : compression.rawValue, header)
      case .failure(let problem):
        entry = .problem(problem.description)
      }
      cache.storeSegment(entry, for: file)
    }
    switch entry {
    case .header(let compression, let header):
      return (compression, header)
    case .problem(let reason):
      report("named like a WAL segment, but \(reason)", file.path)
      if let segment {
        unusable.append(UnusableSegment(name: segment, path: file.path, reason: reason, isShort: false))
      }
      return nil
    }
  }

  /// Whether the header fits the name and the archive; reports why not.
  private mutating func check(
    _ segment: ArchivedSegment, segmentSize: WALSegmentSize?, systemIdentifier: UInt64?
  ) -> Bool {
    let header = segment.header
    let name = segment.name
    let path = segment.path
    guard WALVersion(magic: header.magic) != nil else {
      let magic = String(header.magic, radix: 16, uppercase: true)
      report(
        "unknown WAL page magic 0x\(magic): not written by a PostgreSQL version pitr reads "
          + "(\(WALVersion.supportedRange))", path)
      return false
    }
    guard let size = WALSegmentSize(rawValue: header.segmentSize), size == segmentSize else {
      report(
        "its header gives a segment size of \(header.segmentSize) bytes, unlike the rest of "
          + "the archive (\(segmentSize?.description ?? "unknown"))", path)
      return false
    }
    if header.systemIdentifier != systemIdentifier {
      otherCluster.append(segment)
      report(
        "comes from another cluster: system identifier \(header.systemIdentifier), while the "
          + "archive's is \(systemIdentifier.map(String.init) ?? "unknown")", path)
      return false
    }
    guard let range = name.lsnRange(size: size), range.lowerBound == header.pageAddress else {
      let expected = name.lsnRange(size: size).map { "\($0.lowerBound)" } ?? "none"
      report(
        "named segment \(name) (which starts at \(expected)), but its first page is at "
          + "\(header.pageAddress): it is another segment renamed", path)
      return false
    }
    if header.timeline > name.timeline {
      report(
        "named for timeline \(name.timeline), but its first page is on timeline "
          + "\(header.timeline)", path)
      return false
    }
    if segment.compression == "none", segment.size != Int64(size.bytes) {
      if segment.size < Int64(size.bytes) {
        unusable.append(
          UnusableSegment(
            name: name, path: path,
            reason: "\(path) is \(segment.size) bytes long, shorter than a segment (\(size))",
            isShort: true))
      }
      report(
        "\(segment.size) bytes, but segments are \(size) (PostgreSQL refuses an archived "
          + "segment of the wrong size)", path)
      return false
    }
    return true
  }

  /// Two copies of one segment: a note when their content is the same, an error otherwise.
  private mutating func compareDuplicate(_ first: ArchivedSegment, _ second: ArchivedSegment) {
    let same: Bool
    do {
      same = try Self.contentChecksum(first.path) == Self.contentChecksum(second.path)
    } catch {
      report("cannot compare with \(first.path): \(error)", second.path)
      return
    }
    if same {
      diagnostics.append(
        Diagnostic(
          .note, "segment \(first.name) is archived twice with the same content; using \(first.path)",
          at: .file(second.path)))
    } else {
      diagnostics.append(
        .error(
          "segment \(first.name) is archived twice with different content: \(first.path) and "
            + "\(second.path); keep the right one (the other may come from another server "
            + "or a failed archive_command)", at: .file(second.path)))
    }
  }

  /// CRC-32C and length of a file's decompressed content.
  private static func contentChecksum(_ path: String) throws -> [UInt64] {
    var stream = try RepositoryStores.current.openDecompressed(path)
    var crc = CRC32C()
    var length: UInt64 = 0
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    while true {
      let count = try buffer.withUnsafeMutableBytes { try stream.read(into: $0) }
      if count == 0 { break }
      buffer.withUnsafeBytes { crc.update(UnsafeRawBufferPointer(rebasing: $0.prefix(count))) }
      length += UInt64(count)
    }
    return [UInt64(crc.value), length]
  }

  // MARK: - History files

  private mutating func readText(_ file: ScannedFile) -> String? {
    if let text = cache.text(for: file) { return text }
    do {
      var stream = try RepositoryStores.current.openDecompressed(file.path)
      var bytes: [UInt8] = []
      var buffer = [UInt8](repeating: 0, count: 1 << 14)
      while true {
        let count = try buffer.withUnsafeMutableBytes { try stream.read(into: $0) }
        if count == 0 { break }
        bytes += buffer.prefix(count)
        if bytes.count > 1 << 20 {
          report("larger than 1 MiB: not a history file", file.path)
          return nil
        }
      }
      let text = String(decoding: bytes, as: UTF8.self)
      cache.storeText(text, for: file)
      return text
    } catch {
      report(String(describing: error), file.path)
      return nil
    }
  }

  private mutating func readHistory(_ file: ScannedFile, timeline: TimelineID) -> ArchivedHistoryFile? {
    guard let text = readText(file) else { return nil }
    do {
      let history = try TimelineHistory(parsing: text, timeline: timeline)
      return ArchivedHistoryFile(
        timeline: timeline, path: file.path,
        entries: history.entries.map {
          .init(timeline: $0.timeline, switchLSN: $0.switchLSN, reason: $0.reason)
        })
    } catch {
      report(error.description, file.path)
      return nil
    }
  }

  private mutating func readBackupHistory(_ file: ScannedFile) -> ArchivedBackupHistory? {
    guard let text = readText(file) else { return nil }
    do {
      let history = try BackupHistoryFile(parsing: text)
      return ArchivedBackupHistory(
        path: file.path, startLSN: history.backupLabel.startLSN, stopLSN: history.stopLSN,
        startTimeline: history.backupLabel.startTimeline, stopTimeline: history.stopTimeline,
        startTime: history.backupLabel.startTime?.text, stopTime: history.stopTime?.text,
        label: history.backupLabel.label)
    } catch {
      report(error.description, file.path)
      return nil
    }
  }

  /// Files whose name starts like a segment's but is not one PostgreSQL would use.
  private mutating func noteLookalike(_ file: ScannedFile) {
    let name = file.name
    guard name.count >= 24, name.prefix(24).allSatisfy(\.isHexDigit) else { return }
    diagnostics.append(
      .warning(
        "'\(name)' looks like a WAL file name but is not one PostgreSQL uses (24 uppercase hex "
          + "digits, then .gz, .partial, .history or .backup); it is ignored",
        at: .file(file.path)))
  }

  // MARK: - Summaries

  static func timelineSegments(_ segments: [ArchivedSegment], size: WALSegmentSize)
    -> [TimelineSegments]
  {
    var result: [TimelineSegments] = []
    for (timeline, names) in Dictionary(grouping: segments.map(\.name), by: \.timeline)
      .sorted(by: { $0.key < $1.key })
    {
      let numbers = names.compactMap { $0.segmentNumber(size: size) }.sorted()
      guard !numbers.isEmpty else { continue }
      var ranges: [SegmentRange] = []
      var gaps: [SegmentRange] = []
      var start = numbers.first ?? 0
      var previous = start
      func name(_ number: UInt64) -> WALSegmentName {
        WALSegmentName(timeline: timeline, segmentNumber: number, size: size)
      }
      for number in numbers.dropFirst() + [UInt64.max] {
        if number == previous + 1 {
          previous = number
          continue
        }
        ranges.append(SegmentRange(first: name(start), last: name(previous), count: previous - start + 1))
        if number != UInt64.max {
          gaps.append(
            SegmentRange(first: name(previous + 1), last: name(number - 1), count: number - previous - 1))
        }
        start = number
        previous = number
      }
      result.append(
        TimelineSegments(timeline: timeline, count: numbers.count, ranges: ranges, gaps: gaps))
    }
    return result
  }

  private mutating func report(_ message: String, _ path: String) {
    diagnostics.append(.error(message, at: .file(path)))
  }

  /// The most frequent value (the smallest of equally frequent ones, so the result is stable).
  private func majority<T: Hashable & Comparable>(_ values: [T]) -> T? {
    Dictionary(values.map { ($0, 1) }, uniquingKeysWith: +)
      .max { ($0.value, $1.key) < ($1.value, $0.key) }?.key
  }
}
