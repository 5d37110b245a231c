import Archives
import PostgresVocabulary

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Reads WAL records in order from a sequence of segments, verifying every page header and
/// every record's CRC-32C, and stops cleanly at the end of valid WAL: a zeroed or recycled
/// page, a bad CRC, an `xl_prev` that does not continue the chain, stale data of another
/// timeline, or a missing segment. It never calls `pg_waldump`.
///
/// Pages are read in chunks into one buffer; records that fit on their page are passed on in
/// place, and only records that span pages or segments are copied together. Memory stays
/// bounded by the chunk size plus the largest record actually present.
///
///     var reader = WALReader(provider: WALFileList(files: files))
///     let end = try reader.read { record in
///       if let event = record.event, case .commit(let commit) = event { … }
///     }
public final class WALReader {
  /// PostgreSQL refuses records larger than this (`XLogRecordMaxSize`, 1020 MiB).
  public static let maximumRecordLength = 1020 << 20
  /// How many bytes are read from a segment at a time.
  static let chunkSize = 1 << 20
  /// The most asked of a stream in one read: a decompressor that fails (corrupt gzip) loses
  /// what it inflated in that call, so smaller reads keep the valid bytes before the damage.
  static let readSize = 64 << 10

  private var provider: any WALSegmentProvider
  private var file: WALSegmentFile?

  /// What the first long page header said; every later page must agree.
  public private(set) var version: WALVersion?
  public private(set) var segmentSize: WALSegmentSize?
  public private(set) var systemIdentifier: UInt64?
  private var blockSize = 0

  private let chunk: UnsafeMutableRawBufferPointer
  private var chunkFill = 0
  private var chunkOffset = 0
  private var fileBytesRead = 0
  /// Why the last read of the current file failed (a corrupt gzip stream, an I/O error).
  private var readError: String?

  /// The LSN of the page to read next, and the segment it is in.
  private var pageLSN = LSN.invalid
  private var segmentNumber: UInt64 = 0
  private var previousPageTimeline = TimelineID(0)

  /// A record spanning pages, as far as it has been gathered.
  private var assembly: [UInt8] = []
  private var assemblyStart = LSN.invalid
  private var assemblyTotal = 0
  private var assemblyTimeline = TimelineID(0)
  private var assemblySegment: WALSegmentName?
  private var previousRecordLSN: LSN?

  public init(provider: some WALSegmentProvider) {
    self.provider = provider
    chunk = .allocate(byteCount: Self.chunkSize, alignment: 16)
  }

  deinit { chunk.deallocate() }

  // MARK: - Reading

  /// Reads every valid record, in order, passing each to `visit`; returns why it stopped.
  ///
  /// - Throws: only what `visit` throws; problems in the WAL end the reading instead.
  public func read(_ visit: (WALRecord) throws -> Void) throws -> EndOfWAL {
    if let end = openFirstSegment() { return end }
    while true {
      if let end = try readPage(visit) { return end }
    }
  }

  private func openFirstSegment() -> EndOfWAL? {
    let first: WALSegmentFile
    do {
      guard let opened = try provider.segment(number: nil, size: nil) else {
        return EndOfWAL(reason: .invalidPage("no WAL segment to read"), lsn: .invalid, segment: nil)
      }
      first = opened
    } catch {
      return EndOfWAL(reason: .unreadable("\(error)"), lsn: .invalid, segment: nil)
    }
    file = first
    // The first page fixes the version, segment size, block size and cluster.
    guard fill(atLeast: WALPageHeader.longSize) else {
      if let readError {
        return EndOfWAL(reason: .unreadable(readError), lsn: .invalid, segment: first.name)
      }
      return EndOfWAL(
        reason: .truncatedSegment(path: first.path, bytes: fileBytesRead), lsn: .invalid,
        segment: first.name)
    }
    let head = UnsafeRawBufferPointer(rebasing: chunk[chunkOffset..<chunkFill])
    guard let header = WALPageHeader(head), let long = header.segment else {
      return EndOfWAL(
        reason: .invalidPage("\(first.path) does not start with a long page header"),
        lsn: .invalid, segment: first.name)
    }
    guard let version = header.version else {
      let magic = String(header.magic, radix: 16, uppercase: true)
      return EndOfWAL(
        reason: .invalidPage(
          "unknown WAL page magic 0x\(magic) in \(first.path): not PostgreSQL \(WALVersion.supportedRange)"),
        lsn: header.pageAddress, segment: first.name)
    }
    guard let size = WALSegmentSize(rawValue: long.segmentSize),
      long.blockSize.nonzeroBitCount == 1, (1024...65536).contains(long.blockSize),
      size.bytes % UInt64(long.blockSize) == 0,
      let number = first.name.segmentNumber(size: size)
    else {
      return EndOfWAL(
        reason: .invalidPage(
          "\(first.path): impossible segment size \(long.segmentSize) or block size \(long.blockSize)"),
        lsn: header.pageAddress, segment: first.name)
    }
    self.version = version
    segmentSize = size
    blockSize = Int(long.blockSize)
    systemIdentifier = long.systemIdentifier
    segmentNumber = number
    pageLSN = size.startLSN(ofSegment: number)
    return nil
  }

  /// Reads and handles one page; returns a reason when WAL ends there.
  private func readPage(_ visit: (WALRecord) throws -> Void) throws -> EndOfWAL? {
    if let end = moveToNextSegmentIfNeeded() { return end }
    guard fill(atLeast: blockSize), let file else {
      let at = assemblyTotal > 0 ? assemblyStart : pageLSN
      if let readError { return end(.unreadable(readError), at: at) }
      return end(.truncatedSegment(path: file?.path ?? "?", bytes: fileBytesRead), at: at)
    }
    let page = UnsafeRawBufferPointer(rebasing: chunk[chunkOffset..<chunkOffset + blockSize])
    chunkOffset += blockSize
    let thisPage = pageLSN
    // Wraps to 0/0 after the last page of the LSN space; moveToNextSegmentIfNeeded stops there.
    pageLSN = LSN(rawValue: pageLSN.rawValue &+ UInt64(blockSize))
    let header: WALPageHeader
    switch checkPageHeader(page, at: thisPage, in: file) {
    case .success(let valid): header = valid
    case .failure(let problem):
      return end(.invalidPage(problem.description), at: assemblyTotal > 0 ? assemblyStart : thisPage)
    }
    let headerSize = header.segment == nil ? WALPageHeader.shortSize : WALPageHeader.longSize
    switch try pageStart(page, header: header, headerSize: headerSize, at: thisPage, in: file, visit) {
    case .stop(let end): return end
    case .records(let offset):
      return try readRecords(page, from: offset, header: header, at: thisPage, in: file, visit)
    }
  }

  /// Where a page's own records start, or that reading it is over (`stop`, with the end of
  /// the WAL when there).
  private enum PageStart {
    case records(at: Int)
    case stop(EndOfWAL?)
  }

  /// Finishes the record gathered from earlier pages with this page's first bytes, or skips
  /// the tail of a record whose beginning was not read.
  private func pageStart(
    _ page: UnsafeRawBufferPointer, header: WALPageHeader, headerSize: Int, at thisPage: LSN,
    in file: WALSegmentFile, _ visit: (WALRecord) throws -> Void
  ) throws -> PageStart {
    var offset = headerSize
    if assemblyTotal > 0 {
      // The page must carry the rest of the record being gathered.
      if let version, header.info & version.overwriteContrecordFlag != 0 {
        // XLP_FIRST_IS_OVERWRITE_CONTRECORD: that record was abandoned at a crash.
        resetAssembly()
      } else {
        guard header.info & WALPageHeader.firstIsContinuation != 0 else {
          return .stop(
            end(.brokenContinuation("there is no contrecord flag at \(thisPage)"), at: assemblyStart))
        }
        let remaining = assemblyTotal - assembly.count
        guard Int(header.remainingLength) == remaining else {
          return .stop(
            end(
              .brokenContinuation(
                "invalid contrecord length \(header.remainingLength) (expected \(remaining)) at \(thisPage)"),
              at: assemblyStart))
        }
        let take = min(remaining, blockSize - headerSize)
        assembly.append(
          contentsOf: UnsafeRawBufferPointer(rebasing: page[headerSize..<headerSize + take]))
        if assembly.count < assemblyTotal { return .stop(nil) }
        let start = assemblyStart
        let timeline = assemblyTimeline
        let segment = assemblySegment ?? file.name
        let next = LSN(rawValue: thisPage.rawValue &+ UInt64(headerSize + Self.maxAlign(take)))
        let result = try assembly.withUnsafeBytes { bytes in
          try deliver(bytes, at: start, next: next, timeline: timeline, segment: segment, visit)
        }
        resetAssembly()
        switch result {
        case .end(let end): return .stop(end)
        case .switchSegment:
          skipToNextSegment()
          return .stop(nil)
        case .continue: break
        }
        offset = headerSize + Self.maxAlign(take)
      }
    } else if header.info & WALPageHeader.firstIsContinuation != 0 {
      // Once a record has been read, a new one must start here (PostgreSQL: "contrecord is
      // requested by …").
      if previousRecordLSN != nil {
        let requested = LSN(rawValue: thisPage.rawValue + UInt64(headerSize))
        return .stop(end(.brokenContinuation("contrecord is requested by \(requested)"), at: requested))
      }
      // We start in the middle of a record whose beginning we did not read: skip its tail.
      let tail = Self.maxAlign(Int(header.remainingLength))
      if tail >= blockSize - headerSize { return .stop(nil) }
      offset = headerSize + tail
    }
    return .records(at: offset)
  }

  /// Hands the records that start on this page to `visit`; the last one may go on past the
  /// page (gathered then).
  private func readRecords(
    _ page: UnsafeRawBufferPointer, from start: Int, header: WALPageHeader, at thisPage: LSN,
    in file: WALSegmentFile, _ visit: (WALRecord) throws -> Void
  ) throws -> EndOfWAL? {
    var offset = start
    while offset < blockSize {
      let recordLSN = LSN(rawValue: thisPage.rawValue + UInt64(offset))
      let totalLength = Int(UInt32(littleEndian: page.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
      if totalLength == 0 { return end(.zeroLength, at: recordLSN) }
      if totalLength < 24 {
        return end(
          .invalidRecord("invalid record length: expected at least 24, got \(totalLength)"),
          at: recordLSN)
      }
      if totalLength > Self.maximumRecordLength {
        return end(.invalidRecord("record length \(totalLength) is too long"), at: recordLSN)
      }
      let available = blockSize - offset
      if totalLength <= available {
        let bytes = UnsafeRawBufferPointer(rebasing: page[offset..<offset + totalLength])
        offset += Self.maxAlign(totalLength)
        let next = LSN(rawValue: thisPage.rawValue &+ UInt64(offset))
        switch try deliver(
          bytes, at: recordLSN, next: next, timeline: header.timeline, segment: file.name, visit)
        {
        case .end(let end): return end
        case .switchSegment:
          skipToNextSegment()
          return nil
        case .continue: continue
        }
      }
      // The record goes on past this page: gather it.
      assembly.removeAll(keepingCapacity: true)
      assembly.append(contentsOf: UnsafeRawBufferPointer(rebasing: page[offset..<blockSize]))
      assemblyStart = recordLSN
      assemblyTotal = totalLength
      assemblyTimeline = header.timeline
      assemblySegment = file.name
      return nil
    }
    return nil
  }

  private enum Delivery {
    case `continue`, switchSegment
    case end(EndOfWAL)
  }

  /// Checks a complete record (header fields, chain, CRC) and hands it to `visit`.
  private func deliver(
    _ bytes: UnsafeRawBufferPointer, at lsn: LSN, next: LSN, timeline: TimelineID,
    segment: WALSegmentName, _ visit: (WALRecord) throws -> Void
  ) throws -> Delivery {
    guard let version else { return .end(end(.invalidRecord("no version"), at: lsn)) }
    let resourceManager = bytes[17]
    guard ResourceManager.isValid(resourceManager, version: version) else {
      return .end(end(.invalidRecord("invalid resource manager ID \(resourceManager)"), at: lsn))
    }
    let previous = LSN(rawValue: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
    if let expected = previousRecordLSN, previous != expected {
      return .end(end(.previousLinkMismatch(expected: expected, found: previous), at: lsn))
    }
    var crc = CRC32C()
    crc.update(UnsafeRawBufferPointer(rebasing: bytes[24...]))
    crc.update(UnsafeRawBufferPointer(rebasing: bytes[..<20]))
    let stored = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 20, as: UInt32.self))
    guard crc.value == stored else { return .end(end(.checksumMismatch, at: lsn)) }
    previousRecordLSN = lsn
    let info = bytes[16]
    try visit(
      WALRecord(
        lsn: lsn, nextLSN: next,
        transactionID: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4, as: UInt32.self)),
        resourceManager: resourceManager, info: info, timeline: timeline, segment: segment,
        version: version, bytes: bytes))
    // XLOG_SWITCH: the rest of the segment is unused.
    return resourceManager == ResourceManager.xlog && info & 0xF0 == 0x40 ? .switchSegment : .continue
  }

  // MARK: - Pages and segments

  /// A page header problem, for `Result`.
  private struct PageProblem: Error, CustomStringConvertible {
    var description: String
  }

  /// The page's header when it fits its place, else why not.
  private func checkPageHeader(
    _ page: UnsafeRawBufferPointer, at lsn: LSN, in file: WALSegmentFile
  ) -> Result<WALPageHeader, PageProblem> {
    guard let header = WALPageHeader(page), let version, let segmentSize else {
      return .failure(PageProblem(description: "page too short"))
    }
    if let problem = problem(with: header, at: lsn, in: file, version: version, segmentSize: segmentSize) {
      return .failure(PageProblem(description: problem))
    }
    previousPageTimeline = header.timeline
    return .success(header)
  }

  private func problem(
    with header: WALPageHeader, at lsn: LSN, in file: WALSegmentFile, version: WALVersion,
    segmentSize: WALSegmentSize
  ) -> String? {
    if header.magic != version.magic {
      let magic = String(header.magic, radix: 16, uppercase: true)
      return "invalid magic number \(magic) in WAL segment \(file.name), LSN \(lsn)"
    }
    if header.info & ~version.validInfoMask != 0 {
      return "invalid info bits \(String(header.info, radix: 16)) in WAL segment \(file.name), LSN \(lsn)"
    }
    if header.pageAddress != lsn {
      return "unexpected pageaddr \(header.pageAddress) in WAL segment \(file.name), LSN \(lsn)"
    }
    let isSegmentStart = segmentSize.offset(of: lsn) == 0
    if isSegmentStart {
      guard let long = header.segment else {
        return "no long page header at the start of WAL segment \(file.name)"
      }
      if long.systemIdentifier != systemIdentifier {
        return "WAL segment \(file.name) is from another cluster (system identifier \(long.systemIdentifier))"
      }
      if long.segmentSize != segmentSize.rawValue || Int(long.blockSize) != blockSize {
        return "WAL segment \(file.name) has another segment or block size"
      }
    } else if header.info & WALPageHeader.longHeader != 0 {
      return "unexpected long page header in WAL segment \(file.name), LSN \(lsn)"
    }
    if header.timeline < previousPageTimeline {
      return
        "out-of-sequence timeline ID \(header.timeline) (after \(previousPageTimeline)) in WAL segment \(file.name), LSN \(lsn)"
    }
    if header.timeline > file.name.timeline {
      return "page of timeline \(header.timeline) in WAL segment \(file.name), LSN \(lsn)"
    }
    return nil
  }

  /// Opens the next segment when the previous one is used up.
  private func moveToNextSegmentIfNeeded() -> EndOfWAL? {
    guard let segmentSize, segmentSize.offset(of: pageLSN) == 0,
      pageLSN != segmentSize.startLSN(ofSegment: segmentNumber)
    else { return nil }
    guard segmentNumber < segmentSize.lastSegmentNumber else {
      return end(
        .invalidPage("end of the WAL address space"),
        at: assemblyTotal > 0 ? assemblyStart : LSN(rawValue: .max))
    }
    segmentNumber += 1
    chunkFill = 0
    chunkOffset = 0
    fileBytesRead = 0
    readError = nil
    let timeline = file?.name.timeline ?? TimelineID(1)
    let expected = WALSegmentName(timeline: timeline, segmentNumber: segmentNumber, size: segmentSize)
    do {
      guard let next = try provider.segment(number: segmentNumber, size: segmentSize) else {
        file = nil
        return end(.missingSegment(expected), at: assemblyTotal > 0 ? assemblyStart : pageLSN)
      }
      file = next
    } catch {
      file = nil
      return end(.unreadable("\(error)"), at: assemblyTotal > 0 ? assemblyStart : pageLSN)
    }
    return nil
  }

  /// After XLOG_SWITCH: the next record is at the start of the next segment.
  private func skipToNextSegment() {
    guard let segmentSize else { return }
    pageLSN = segmentSize.startLSN(ofSegment: segmentNumber + 1)
  }

  /// Makes at least `count` unread bytes available in the chunk; false at the end of the file.
  private func fill(atLeast count: Int) -> Bool {
    if chunkFill - chunkOffset >= count { return true }
    guard var stream = file?.stream else { return false }
    // Move what is left to the front, then read (64 KiB at a time) until there is enough.
    let left = chunkFill - chunkOffset
    if left > 0, chunkOffset > 0, let base = chunk.baseAddress {
      memmove(base, base + chunkOffset, left)  // the two ranges may overlap
    }
    chunkFill = left
    chunkOffset = 0
    do {
      while chunkFill < count {
        let upTo = min(chunkFill + Self.readSize, Self.chunkSize)
        let got = try stream.read(
          into: UnsafeMutableRawBufferPointer(rebasing: chunk[chunkFill..<upTo]))
        if got == 0 { break }
        chunkFill += got
        fileBytesRead += got
      }
    } catch {
      readError = "\(error)"
      file?.stream = stream
      return false
    }
    file?.stream = stream
    return chunkFill >= count
  }

  private func resetAssembly() {
    assembly.removeAll(keepingCapacity: true)
    assemblyTotal = 0
  }

  private func end(_ reason: EndOfWAL.Reason, at lsn: LSN) -> EndOfWAL {
    EndOfWAL(reason: reason, lsn: lsn, segment: file?.name)
  }

  /// Rounds up to PostgreSQL's MAXALIGN (8).
  static func maxAlign(_ value: Int) -> Int { (value + 7) & ~7 }
}
