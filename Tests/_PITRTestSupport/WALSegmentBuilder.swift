import PostgresVocabulary
import WAL

/// Writes byte-exact synthetic WAL segments, as PostgreSQL 13–18 would lay them out: a long
/// page header at each segment start, short headers elsewhere, records MAXALIGN'ed and chained
/// by `xl_prev`, CRC-32C on every record, records split across pages and segments with
/// `XLP_FIRST_IS_CONTRECORD` and `xlp_rem_len`, and zeros wherever nothing was written.
///
///     var wal = WALSegmentBuilder(major: 16)
///     let commit = wal.append(.commit(xid: 740, WALTransactionEndSpec(time: time)))
///     let files = try wal.write(to: directory.path)   // [(name, path)] for WALFileList
///
/// Every `append` returns the record's LSN; `records` keeps each one's LSN and end.
public struct WALSegmentBuilder {
  /// Where one record went.
  public struct WrittenRecord: Hashable, Sendable {
    /// Where it starts (after any page header).
    public var lsn: LSN
    /// `xl_tot_len`.
    public var length: Int
    /// Its end, MAXALIGN'ed: what the reader reports as `nextLSN`.
    public var end: LSN
  }

  public let version: WALVersion
  public let segmentSize: WALSegmentSize
  /// `XLOG_BLCKSZ`.
  public let blockSize: Int
  public let systemIdentifier: UInt64
  /// The timeline written into the headers of pages started from now on (`xlp_tli`).
  public var pageTimeline: TimelineID
  /// The timeline in the segment file names.
  public var fileTimeline: TimelineID
  /// `xlp_info` bits added to every page header: `XLP_BKP_REMOVABLE` (0x0004) unless changed,
  /// as on a server with no backup running; none from PostgreSQL 19, which dropped that flag.
  public var extraPageInfo: UInt16 = 0x0004
  /// Where the next record, or the page header before it, will be written.
  public private(set) var insertLSN: LSN
  /// `xl_prev` of the next record: the start of the last one written.
  public private(set) var previousLSN: LSN
  /// Every record written, in order.
  public private(set) var records: [WrittenRecord] = []
  /// The first segment number.
  public let firstSegment: UInt64

  private var segments: [UInt64: [UInt8]] = [:]
  private var lastTouchedSegment: UInt64
  /// Set by `appendAbandoned`: the next page started gets `XLP_FIRST_IS_OVERWRITE_CONTRECORD`.
  private var overwritesContinuation = false

  /// A builder whose first record goes right after the long header of segment `startSegment`.
  ///
  /// - Parameters:
  ///   - major: the PostgreSQL major version, 13 to 19 (decides the page magic and layouts).
  ///   - segmentSize: 1 MiB unless given, to keep test files small.
  ///   - previous: `xl_prev` of the first record.
  public init(
    major: Int = 16, segmentSize: WALSegmentSize = WALSegmentSize(rawValue: 1 << 20)!,
    blockSize: Int = 8192, systemIdentifier: UInt64 = 7_311_019_213_718_305_796,
    timeline: TimelineID = TimelineID(1), startSegment: UInt64 = 1, previous: LSN? = nil
  ) {
    guard let version = WALVersion.known.first(where: { $0.major == major }) else {
      preconditionFailure("no WAL version for PostgreSQL \(major)")
    }
    precondition(blockSize.nonzeroBitCount == 1 && Int(segmentSize.bytes) % blockSize == 0)
    self.version = version
    if major >= 19 { extraPageInfo = 0 }
    self.segmentSize = segmentSize
    self.blockSize = blockSize
    self.systemIdentifier = systemIdentifier
    pageTimeline = timeline
    fileTimeline = timeline
    firstSegment = startSegment
    lastTouchedSegment = startSegment
    let start = segmentSize.startLSN(ofSegment: startSegment)
    insertLSN = start
    previousLSN = previous ?? LSN(rawValue: start.rawValue &- 0x28)
  }

  // MARK: - Records

  /// Encodes `record`, places it at the insert position and returns its LSN.
  ///
  /// An `XLOG_SWITCH` moves the insert position to the start of the next segment, leaving the
  /// rest of its segment zeros, page headers included (as PostgreSQL 13–18 do).
  ///
  /// - Parameters:
  ///   - previous: `xl_prev` to write instead of the real previous record (to break the chain).
  ///   - corruptCRC: store a CRC with one bit flipped.
  @discardableResult
  public mutating func append(
    _ record: WALRecordSpec, previous: LSN? = nil, corruptCRC: Bool = false
  ) -> LSN {
    var bytes = record.encoded(previous: previous ?? previousLSN, version: version)
    if corruptCRC { bytes[20] ^= 0x01 }
    let lsn = appendEncoded(bytes)
    let (info, _) = record.content(version)
    if record.resourceManager == ResourceManager.xlog, info & 0xF0 == 0x40 {
      let segment = segmentSize.segmentNumber(containing: LSN(rawValue: insertLSN.rawValue &- 1))
      insertLSN = segmentSize.startLSN(ofSegment: segment + 1)
    }
    return lsn
  }

  /// Places already encoded record bytes (header, CRC and all) as they are; returns the LSN.
  /// The next record's `xl_prev` will point here.
  @discardableResult
  public mutating func appendEncoded(_ bytes: [UInt8]) -> LSN {
    precondition(bytes.count >= 4, "a record needs at least its length")
    var position = insertLSN.rawValue
    if isPageStart(position) {
      position += UInt64(writePageHeader(at: position, remaining: 0))
    }
    let start = position
    var index = 0
    while index < bytes.count {
      if isPageStart(position) {
        position += UInt64(writePageHeader(at: position, remaining: bytes.count - index))
      }
      let room = blockSize - Int(position % UInt64(blockSize))
      let count = min(room, bytes.count - index)
      store(bytes[index..<index + count], at: position)
      position &+= UInt64(count)  // a record may end at the very top of the LSN space
      index += count
    }
    let lsn = LSN(rawValue: start)
    insertLSN = LSN(rawValue: Self.maxAlign(position))
    previousLSN = lsn
    records.append(WrittenRecord(lsn: lsn, length: bytes.count, end: insertLSN))
    return lsn
  }

  /// Writes only the part of `record` that fits on the current page, as if the server crashed
  /// before the rest reached disk, and marks the next page `XLP_FIRST_IS_OVERWRITE_CONTRECORD`
  /// (what PostgreSQL 14+ does after such a crash). Append the `XLOG_OVERWRITE_CONTRECORD`
  /// record next (`.overwriteContinuation(of:time:)`). The abandoned record is not in `records`
  /// and the next `xl_prev` still points at the last complete record.
  @discardableResult
  public mutating func appendAbandoned(_ record: WALRecordSpec) -> LSN {
    let bytes = record.encoded(previous: previousLSN, version: version)
    var position = insertLSN.rawValue
    if isPageStart(position) {
      position += UInt64(writePageHeader(at: position, remaining: 0))
    }
    let room = blockSize - Int(position % UInt64(blockSize))
    precondition(bytes.count > room, "the abandoned record must not fit on its page")
    store(bytes[0..<room], at: position)
    insertLSN = LSN(rawValue: position + UInt64(room))
    overwritesContinuation = true
    return LSN(rawValue: position)
  }

  // MARK: - Padding

  /// Appends filler records (`XLOG_NOOP`) so that the next record starts exactly at `target`.
  public mutating func pad(to target: LSN) {
    precondition(target >= insertLSN, "cannot pad backwards to \(target) from \(insertLSN)")
    precondition(target.rawValue % 8 == 0, "records start MAXALIGN'ed, not at \(target)")
    while target.rawValue - insertLSN.rawValue > UInt64(4 * blockSize) {
      append(.filler(totalLength: blockSize / 2 + 16))
    }
    for _ in 0..<4 {
      if nextRecordStart(from: insertLSN.rawValue) == target.rawValue { return }
      if let length = fillerLength(reaching: target.rawValue) {
        append(.filler(totalLength: length))
        return
      }
      append(.filler(totalLength: 24))
    }
    preconditionFailure("cannot pad from \(insertLSN) to \(target)")
  }

  /// Pads so that the next record starts `bytes` before the end of a page: the current page
  /// when there is room, else the next.
  public mutating func pad(toPageRemaining bytes: Int) {
    let page = UInt64(blockSize)
    var end = (insertLSN.rawValue / page &+ 1) &* page
    if end &- UInt64(bytes) < insertLSN.rawValue + 32 { end &+= page }
    pad(to: LSN(rawValue: end &- UInt64(bytes)))
  }

  /// Pads so that the next record starts `bytes` before the end of a segment: the current
  /// one when there is room, else the next.
  public mutating func pad(toSegmentRemaining bytes: Int) {
    // Wrapping arithmetic: the last segment of the LSN space ends at 2^64.
    let size = segmentSize.bytes
    var end = (insertLSN.rawValue / size &+ 1) &* size
    if end &- UInt64(bytes) < insertLSN.rawValue + 32 { end &+= size }
    pad(to: LSN(rawValue: end &- UInt64(bytes)))
  }

  /// The shortest filler whose next record starts at `target`, if one does.
  private func fillerLength(reaching target: UInt64) -> Int? {
    let start = insertLSN.rawValue
    guard target > start else { return nil }
    let distance = target - start
    var low = 24
    var high = Int(distance)
    guard high >= 24 else { return nil }
    while low < high {
      let middle = (low + high) / 2
      if span(ofRecordLength: middle, from: start) >= distance {
        high = middle
      } else {
        low = middle + 1
      }
    }
    for length in [low, low + 1, low + 2] where length == 24 || length >= 27 {
      if span(ofRecordLength: length, from: start) == distance { return length }
    }
    return nil
  }

  /// How far past `start` a record of `length` bytes written there would end, MAXALIGN'ed
  /// (a distance, so that the top of the LSN space does not overflow).
  private func span(ofRecordLength length: Int, from start: UInt64) -> UInt64 {
    var distance: UInt64 = 0
    func position() -> UInt64 { start &+ distance }
    if isPageStart(position()) { distance += UInt64(headerSize(at: position())) }
    var left = length
    while left > 0 {
      if isPageStart(position()) { distance += UInt64(headerSize(at: position())) }
      let count = min(left, blockSize - Int(position() % UInt64(blockSize)))
      distance += UInt64(count)
      left -= count
    }
    return Self.maxAlign(distance)
  }

  /// Where a record written at `position` starts (after the page header, on a page start).
  private func nextRecordStart(from position: UInt64) -> UInt64 {
    isPageStart(position) ? position + UInt64(headerSize(at: position)) : position
  }

  // MARK: - Pages

  private func isPageStart(_ position: UInt64) -> Bool { position % UInt64(blockSize) == 0 }

  private func headerSize(at position: UInt64) -> Int {
    segmentSize.offset(of: LSN(rawValue: position)) == 0
      ? WALPageHeader.longSize : WALPageHeader.shortSize
  }

  /// Writes the header of the page starting at `position`; returns its size.
  private mutating func writePageHeader(at position: UInt64, remaining: Int) -> Int {
    let long = headerSize(at: position) == WALPageHeader.longSize
    var info = extraPageInfo
    if remaining > 0 { info |= WALPageHeader.firstIsContinuation }
    if long { info |= WALPageHeader.longHeader }
    if overwritesContinuation {
      info |= version.overwriteContrecordFlag
      overwritesContinuation = false
    }
    var header = WALBytes()
    header.uint16(version.magic)
    header.uint16(info)
    header.uint32(pageTimeline.rawValue)
    header.uint64(position)
    header.uint32(UInt32(remaining))
    header.zeros(4)
    if long {
      header.uint64(systemIdentifier)
      header.uint32(segmentSize.rawValue)
      header.uint32(UInt32(blockSize))
    }
    store(header.bytes[...], at: position)
    return header.count
  }

  // MARK: - Raw bytes

  /// Copies `bytes` to WAL position `lsn` (page headers are not skipped: an LSN is a file
  /// position), creating zeroed segments as needed.
  public mutating func patch(_ bytes: [UInt8], at lsn: LSN) {
    store(bytes[...], at: lsn.rawValue)
  }

  /// The bytes at WAL position `lsn` (zeros where nothing was written).
  public func bytes(at lsn: LSN, count: Int) -> [UInt8] {
    (0..<UInt64(count)).map { step in
      let position = lsn.rawValue + step
      let number = position / segmentSize.bytes
      return segments[number]?[Int(position % segmentSize.bytes)] ?? 0
    }
  }

  private mutating func store(_ bytes: ArraySlice<UInt8>, at position: UInt64) {
    var position = position
    var index = bytes.startIndex
    while index < bytes.endIndex {
      let number = position / segmentSize.bytes
      let offset = Int(position % segmentSize.bytes)
      let count = min(Int(segmentSize.bytes) - offset, bytes.endIndex - index)
      if segments[number] == nil {
        segments[number] = [UInt8](repeating: 0, count: Int(segmentSize.bytes))
      }
      segments[number]!.replaceSubrange(offset..<offset + count, with: bytes[index..<index + count])
      lastTouchedSegment = max(lastTouchedSegment, number)
      position &+= UInt64(count)
      index += count
    }
  }

  /// Rounds up to MAXALIGN (8).
  static func maxAlign(_ value: UInt64) -> UInt64 { (value &+ 7) & ~7 }

  // MARK: - Output

  /// The segments from the first through the last one written to, each a whole segment
  /// (zeros where nothing was written), named on `fileTimeline`.
  public func segmentFiles() -> [(name: WALSegmentName, bytes: [UInt8])] {
    (firstSegment...lastTouchedSegment).map { number in
      (
        WALSegmentName(timeline: fileTimeline, segmentNumber: number, size: segmentSize),
        segments[number] ?? [UInt8](repeating: 0, count: Int(segmentSize.bytes))
      )
    }
  }
}
