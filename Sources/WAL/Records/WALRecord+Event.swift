import PostgresVocabulary

/// Decoding the records recovery targets and `pitr wal find` care about.
extension WALRecord {
  /// The record's meaning, or `nil` for records pitr does not decode (or cannot: a record
  /// whose contents do not add up is left alone rather than misread).
  public var event: WALEvent? {
    switch resourceManager {
    case ResourceManager.transaction: transactionEvent
    case ResourceManager.xlog: xlogEvent
    case ResourceManager.heap, ResourceManager.heap2: rowChange.map(WALEvent.rowChange)
    default: nil
    }
  }

  // MARK: - XACT

  private var transactionEvent: WALEvent? {
    let operation = info & 0x70
    switch operation {
    case 0x00, 0x20, 0x30, 0x40:
      guard let layout = RecordLayout(bytes, version: version, wantBlocks: false) else { return nil }
      return transactionEnd(
        main: layout.mainData, outcome: operation == 0x00 || operation == 0x30 ? .commit : .abort,
        prepared: operation >= 0x30
      ).map(WALEvent.transactionEnd)
    case 0x10:
      guard let layout = RecordLayout(bytes, version: version, wantBlocks: false) else { return nil }
      return prepare(main: layout.mainData).map(WALEvent.prepare)
    default:
      return nil
    }
  }

  /// `xl_xact_commit` / `xl_xact_abort` and what follows, in order (FORMATS.md §4.4).
  private func transactionEnd(
    main: Range<Int>, outcome: WALEvent.TransactionEnd.Outcome, prepared: Bool
  ) -> WALEvent.TransactionEnd? {
    var reader = FieldReader(bytes, range: main)
    guard let time = reader.int64() else { return nil }
    var flags: UInt32 = 0
    if info & 0x80 != 0 {
      guard let value = reader.uint32() else { return nil }
      flags = value
    }
    if flags & 0x001 != 0, reader.skip(8) == nil { return nil }  // dbId, tsId
    var subtransactions: [UInt32] = []
    if flags & 0x002 != 0 {
      guard let count = reader.count() else { return nil }
      for _ in 0..<count {
        guard let xid = reader.uint32() else { return nil }
        subtransactions.append(xid)
      }
    }
    if flags & 0x004 != 0 {
      guard let count = reader.count(), reader.skip(count * 12) != nil else { return nil }
    }
    if flags & 0x100 != 0, version.major >= 15 {
      let itemSize = version.major >= 18 ? 16 : 12
      guard let count = reader.count(), reader.skip(count * itemSize) != nil else { return nil }
    }
    if flags & 0x008 != 0, outcome == .commit {
      guard let count = reader.count(), reader.skip(count * 16) != nil else { return nil }
    }
    var transactionID = self.transactionID
    var identifier: String?
    if flags & 0x010 != 0 {
      guard let twoPhase = reader.uint32() else { return nil }
      if prepared { transactionID = twoPhase }
      if flags & 0x080 != 0 { identifier = reader.cString() }
    }
    return WALEvent.TransactionEnd(
      outcome: outcome, prepared: prepared, transactionID: transactionID,
      time: PostgresTimestamp(microsecondsSince2000: time), subtransactions: subtransactions,
      globalIdentifier: identifier)
  }

  /// `xl_xact_prepare`: 64 bytes up to PostgreSQL 14, 72 from 15; the GID follows it.
  private func prepare(main: Range<Int>) -> WALEvent.Prepare? {
    let headerSize = version.major >= 15 ? 72 : 64
    let gidLengthOffset = version.major >= 15 ? 54 : 46
    guard main.count >= headerSize else { return nil }
    var reader = FieldReader(bytes, range: main)
    guard reader.skip(8) != nil, let xid = reader.uint32(), reader.skip(4) != nil,
      let time = reader.int64()
    else { return nil }
    let base = main.lowerBound
    let gidLength = Int(
      UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: base + gidLengthOffset, as: UInt16.self)))
    var gid = ""
    if gidLength > 0, base + headerSize + gidLength <= main.upperBound {
      var identifier = FieldReader(bytes, range: (base + headerSize)..<(base + headerSize + gidLength))
      gid = identifier.cString() ?? ""
    }
    return WALEvent.Prepare(
      transactionID: xid, time: PostgresTimestamp(microsecondsSince2000: time), globalIdentifier: gid)
  }

  // MARK: - XLOG

  private var xlogEvent: WALEvent? {
    let operation = info & 0xF0
    if operation == 0x40 { return .switchSegment }
    guard [0x00, 0x10, 0x50, 0x70, 0x90].contains(operation),
      let layout = RecordLayout(bytes, version: version, wantBlocks: false)
    else { return nil }
    var reader = FieldReader(bytes, range: layout.mainData)
    switch operation {
    case 0x00, 0x10:
      // `CheckPoint`: 88 bytes with its time at 64 up to 18; 96 bytes with the time at 72 in
      // 19 (logicalDecodingEnabled, a 64-bit nextMultiOffset, dataChecksumState).
      let (size, timeOffset) = version.major >= 19 ? (80, 72) : (72, 64)
      guard layout.mainData.count >= size, let redo = reader.uint64(), let timeline = reader.uint32(),
        let previous = reader.uint32()
      else { return nil }
      var time = FieldReader(bytes, range: layout.mainData)
      guard time.skip(timeOffset) != nil, let seconds = time.int64() else { return nil }
      return .checkpoint(
        WALEvent.Checkpoint(
          online: operation == 0x10, redo: LSN(rawValue: redo), timeline: TimelineID(timeline),
          previousTimeline: TimelineID(previous), unixTime: seconds))
    case 0x50:
      guard let start = reader.uint64() else { return nil }
      return .backupEnd(start: LSN(rawValue: start))
    case 0x70:
      guard layout.mainData.count >= 72, let time = reader.int64() else { return nil }
      var name = FieldReader(bytes, range: (layout.mainData.lowerBound + 8)..<(layout.mainData.lowerBound + 72))
      // Bytes after the name's NUL are garbage (FORMATS.md §4.3): read up to the NUL only.
      return .restorePoint(
        WALEvent.RestorePoint(
          name: name.cString() ?? "", time: PostgresTimestamp(microsecondsSince2000: time)))
    case 0x90:
      guard let time = reader.int64(), let timeline = reader.uint32(), let previous = reader.uint32()
      else { return nil }
      return .endOfRecovery(
        WALEvent.EndOfRecovery(
          time: PostgresTimestamp(microsecondsSince2000: time), timeline: TimelineID(timeline),
          previousTimeline: TimelineID(previous)))
    default:
      return nil
    }
  }

  // MARK: - HEAP and HEAP2

  private var rowChange: WALEvent.RowChange? {
    let operation = info & 0x70
    let kind: WALEvent.RowChange.Kind
    var hot = false
    if resourceManager == ResourceManager.heap {
      switch operation {
      case 0x00: kind = .insert
      case 0x10: kind = .delete
      case 0x20: kind = .update
      case 0x30: kind = .truncate
      case 0x40:
        kind = .update
        hot = true
      default: return nil
      }
    } else {
      guard operation == 0x50 else { return nil }  // MULTI_INSERT
      kind = .insert
    }
    guard let layout = RecordLayout(bytes, version: version) else { return nil }
    var change = WALEvent.RowChange(
      kind: kind, rows: 1, relation: layout.firstBlock?.relation, block: layout.firstBlock?.block,
      truncatedTables: [], database: nil, hot: hot)
    var reader = FieldReader(bytes, range: layout.mainData)
    if kind == .truncate {
      guard let database = reader.uint32(), let count = reader.uint32(), reader.skip(4) != nil
      else { return nil }
      change.database = database
      for _ in 0..<min(Int(count), layout.mainData.count / 4) {
        guard let oid = reader.uint32() else { return nil }
        change.truncatedTables.append(oid)
      }
      change.rows = 0
    } else if resourceManager == ResourceManager.heap2 {
      guard reader.skip(2) != nil, let count = reader.uint16() else { return nil }
      change.rows = Int(count)
    }
    return change
  }
}

/// Reads little-endian fields from a range of a record, refusing to run past its end.
struct FieldReader {
  private let bytes: UnsafeRawBufferPointer
  private var offset: Int
  private let end: Int

  init(_ bytes: UnsafeRawBufferPointer, range: Range<Int>) {
    self.bytes = bytes
    offset = range.lowerBound
    end = min(range.upperBound, bytes.count)
  }

  private mutating func load<T: FixedWidthInteger>(_ type: T.Type) -> T? {
    let size = MemoryLayout<T>.size
    guard offset + size <= end else { return nil }
    defer { offset += size }
    return T(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
  }

  mutating func uint16() -> UInt16? { load(UInt16.self) }
  mutating func uint32() -> UInt32? { load(UInt32.self) }
  mutating func uint64() -> UInt64? { load(UInt64.self) }
  mutating func int64() -> Int64? { load(Int64.self) }

  /// A non-negative 32-bit count (negative counts mean a corrupt record).
  mutating func count() -> Int? {
    guard let value = load(Int32.self), value >= 0 else { return nil }
    return Int(value)
  }

  mutating func skip(_ count: Int) -> Void? {
    guard count >= 0, offset + count <= end else { return nil }
    offset += count
    return ()
  }

  /// A NUL-terminated string (up to the end of the range when there is no NUL).
  mutating func cString() -> String? {
    guard offset <= end else { return nil }
    var stop = offset
    while stop < end, bytes[stop] != 0 { stop += 1 }
    let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[offset..<stop]), as: UTF8.self)
    offset = min(stop + 1, end)
    return text
  }
}
