import PostgresVocabulary
import WAL

/// XLOG resource manager records (FORMATS.md §4.3) and fillers.
extension WALRecordSpec {
  /// `XLOG_CHECKPOINT_SHUTDOWN` (0x00) or `XLOG_CHECKPOINT_ONLINE` (0x10): an 88-byte
  /// `CheckPoint`, with `wal_level` at offset 20 from PostgreSQL 17; 96 bytes in 19
  /// (`logicalDecodingEnabled` at 24, nextXid at 32, a 64-bit nextMultiOffset, the time at
  /// 72 and `dataChecksumState` at 92).
  ///
  /// - Parameter unixTime: `CheckPoint.time`, seconds since 1970 (not a `TimestampTz`).
  public static func checkpoint(
    online: Bool, redo: LSN, timeline: TimelineID, previousTimeline: TimelineID? = nil,
    unixTime: Int64, fullPageWrites: Bool = true, walLevel: Int32 = 1,
    nextFullXID: UInt64 = 1_000, nextOID: UInt32 = 24_576, oldestActiveXID: UInt32 = 0
  ) -> WALRecordSpec {
    WALRecordSpec(resourceManager: ResourceManager.xlog) { version in
      var data = WALBytes()
      data.uint64(redo.rawValue)
      data.uint32(timeline.rawValue)
      data.uint32((previousTimeline ?? timeline).rawValue)
      data.uint8(fullPageWrites ? 1 : 0)
      data.zeros(3)
      if version.major >= 17 { data.int32(walLevel) } else { data.zeros(4) }
      if version.major >= 19 {
        data.uint8(0)  // logicalDecodingEnabled
        data.zeros(7)
      }
      data.uint64(nextFullXID)
      data.uint32(nextOID)
      data.uint32(1)  // nextMulti
      if version.major >= 19 { data.uint64(0) } else { data.uint32(0) }  // nextMultiOffset
      data.uint32(726)  // oldestXid
      data.uint32(1)  // oldestXidDB
      data.uint32(1)  // oldestMulti
      data.uint32(1)  // oldestMultiDB
      if version.major < 19 { data.zeros(4) }
      data.int64(unixTime)
      data.uint32(0)  // oldestCommitTsXid
      data.uint32(0)  // newestCommitTsXid
      data.uint32(oldestActiveXID)
      data.uint32(version.major >= 19 ? 1 : 0)  // 19: dataChecksumState; before: padding
      precondition(data.count == (version.major >= 19 ? 96 : 88))
      return (online ? 0x10 : 0x00, data.bytes)
    }
  }

  /// `XLOG_RESTORE_POINT` (0x70): `xl_restore_point`, 72 bytes: the time, then the name in a
  /// 64-byte field with `garbage` after its NUL (as PostgreSQL leaves it uninitialized).
  public static func restorePoint(
    name: String, time: PostgresTimestamp, garbage: UInt8 = 0x7F
  ) -> WALRecordSpec {
    let utf8 = Array(name.utf8)
    precondition(utf8.count < 64, "a restore point name has at most 63 bytes")
    var data = WALBytes()
    data.int64(time.microsecondsSince2000)
    data.append(utf8)
    data.uint8(0)
    data.append((utf8.count + 1..<64).map { UInt8(truncatingIfNeeded: Int(garbage) + $0) })
    return WALRecordSpec(resourceManager: ResourceManager.xlog, info: 0x70, mainData: data.bytes)
  }

  /// `XLOG_BACKUP_END` (0x50): the backup's start LSN.
  public static func backupEnd(start: LSN) -> WALRecordSpec {
    WALRecordSpec(
      resourceManager: ResourceManager.xlog, info: 0x50, mainData: WALBytes.of(start.rawValue))
  }

  /// `XLOG_END_OF_RECOVERY` (0x90): 16 bytes, 24 from PostgreSQL 17 (`wal_level` at 16).
  public static func endOfRecovery(
    time: PostgresTimestamp, timeline: TimelineID, previousTimeline: TimelineID,
    walLevel: Int32 = 1
  ) -> WALRecordSpec {
    WALRecordSpec(resourceManager: ResourceManager.xlog) { version in
      var data = WALBytes()
      data.int64(time.microsecondsSince2000)
      data.uint32(timeline.rawValue)
      data.uint32(previousTimeline.rawValue)
      if version.major >= 17 {
        data.int32(walLevel)
        data.zeros(4)
      }
      return (0x90, data.bytes)
    }
  }

  /// `XLOG_SWITCH` (0x40): no data, 24 bytes; ends the segment.
  public static func switchSegment() -> WALRecordSpec {
    WALRecordSpec(resourceManager: ResourceManager.xlog, info: 0x40)
  }

  /// `XLOG_NOOP` (0x20) carrying `data`.
  public static func noop(_ data: [UInt8]) -> WALRecordSpec {
    WALRecordSpec(resourceManager: ResourceManager.xlog, info: 0x20, mainData: data)
  }

  /// `XLOG_OVERWRITE_CONTRECORD` (0xD0): the abandoned record's LSN and the time.
  public static func overwriteContinuation(of lsn: LSN, time: PostgresTimestamp) -> WALRecordSpec {
    var data = WALBytes()
    data.uint64(lsn.rawValue)
    data.int64(time.microsecondsSince2000)
    return WALRecordSpec(resourceManager: ResourceManager.xlog, info: 0xD0, mainData: data.bytes)
  }

  /// A record of exactly `totalLength` bytes (`xl_tot_len`: 24, or 27 and more) that decodes to
  /// nothing: `XLOG_NOOP` by default, or STANDBY (8) with info 0x00 when `standby`. For pushing
  /// the next record to a page or segment boundary.
  public static func filler(totalLength: Int, standby: Bool = false) -> WALRecordSpec {
    precondition(totalLength == 24 || totalLength >= 27, "no record is \(totalLength) bytes long")
    // 24 + [origin 3] + main-data header (2 short, 5 long) + main data.
    var origin: UInt16?
    let mainLength: Int
    switch totalLength {
    case 24: mainLength = 0
    case 27...281: mainLength = totalLength - 26
    case 282...284:
      origin = 1
      mainLength = totalLength - 29
    default: mainLength = totalLength - 29
    }
    let data = WALBlockImage.pattern(count: mainLength, seed: 0x5A)
    return WALRecordSpec(
      resourceManager: standby ? ResourceManager.standby : ResourceManager.xlog,
      info: standby ? 0x00 : 0x20, origin: origin, mainData: data)
  }
}
