import PostgresVocabulary
import WAL

/// The parts of a synthetic COMMIT / ABORT / COMMIT_PREPARED / ABORT_PREPARED record
/// (`xl_xact_commit` / `xl_xact_abort` and the optional pieces `xinfo` announces, FORMATS.md
/// §4.4). Each optional part sets its `xinfo` bit when present.
public struct WALTransactionEndSpec: Sendable {
  /// One `xl_xact_stats_item` (15+): 12 bytes in 15–17, 16 in 18 (the object id split in two).
  public struct DroppedStats: Hashable, Sendable {
    public var kind: Int32
    public var database: UInt32
    public var object: UInt64

    public init(kind: Int32, database: UInt32, object: UInt64) {
      self.kind = kind
      self.database = database
      self.object = object
    }
  }

  /// `xl_xact_origin`: the replication origin's LSN and commit time (written unaligned).
  public struct Origin: Hashable, Sendable {
    public var id: UInt16
    public var lsn: LSN
    public var time: PostgresTimestamp

    public init(id: UInt16, lsn: LSN, time: PostgresTimestamp) {
      self.id = id
      self.lsn = lsn
      self.time = time
    }
  }

  /// `xact_time`.
  public var time: PostgresTimestamp
  /// `XACT_XINFO_HAS_DBINFO`: database and tablespace OIDs.
  public var databaseInfo: (database: UInt32, tablespace: UInt32)?
  /// `XACT_XINFO_HAS_SUBXACTS`.
  public var subtransactions: [UInt32]
  /// `XACT_XINFO_HAS_RELFILENODES` / `_RELFILELOCATORS`: relations dropped.
  public var droppedRelations: [RelationFileLocator]
  /// `XACT_XINFO_HAS_DROPPED_STATS` (15+; left out for 13 and 14, which have no such part).
  public var droppedStats: [DroppedStats]
  /// `XACT_XINFO_HAS_INVALS`: how many 16-byte invalidation messages (commits only).
  public var invalidations: Int
  /// `XACT_XINFO_HAS_TWOPHASE`: the prepared transaction's xid.
  public var twoPhaseTransactionID: UInt32?
  /// `XACT_XINFO_HAS_GID` (with `twoPhaseTransactionID`): the GID, NUL-terminated.
  public var globalIdentifier: String?
  /// `XACT_XINFO_HAS_ORIGIN`.
  public var origin: Origin?
  /// `xinfo` bits without a payload: `HAS_AE_LOCKS` 0x40, completion flags (bits 29–31).
  public var otherFlags: UInt32

  public init(
    time: PostgresTimestamp, databaseInfo: (database: UInt32, tablespace: UInt32)? = nil,
    subtransactions: [UInt32] = [], droppedRelations: [RelationFileLocator] = [],
    droppedStats: [DroppedStats] = [], invalidations: Int = 0,
    twoPhaseTransactionID: UInt32? = nil, globalIdentifier: String? = nil, origin: Origin? = nil,
    otherFlags: UInt32 = 0
  ) {
    self.time = time
    self.databaseInfo = databaseInfo
    self.subtransactions = subtransactions
    self.droppedRelations = droppedRelations
    self.droppedStats = droppedStats
    self.invalidations = invalidations
    self.twoPhaseTransactionID = twoPhaseTransactionID
    self.globalIdentifier = globalIdentifier
    self.origin = origin
    self.otherFlags = otherFlags
  }

  /// The `xinfo` word for `version` (0 when no part is present).
  public func xinfo(version: WALVersion, commit: Bool) -> UInt32 {
    var xinfo = otherFlags
    if databaseInfo != nil { xinfo |= 0x001 }
    if !subtransactions.isEmpty { xinfo |= 0x002 }
    if !droppedRelations.isEmpty { xinfo |= 0x004 }
    if commit, invalidations > 0 { xinfo |= 0x008 }
    if twoPhaseTransactionID != nil { xinfo |= 0x010 }
    if origin != nil { xinfo |= 0x020 }
    if twoPhaseTransactionID != nil, globalIdentifier != nil { xinfo |= 0x080 }
    if version.major >= 15, !droppedStats.isEmpty { xinfo |= 0x100 }
    return xinfo
  }

  /// `xl_info` (the opcode, `XLOG_XACT_HAS_INFO` when there is an `xinfo`, and
  /// `XLR_SPECIAL_REL_UPDATE` when relations are dropped) and the main data, in PostgreSQL's
  /// order: time, xinfo, dbinfo, subxacts, relations, dropped stats, invals, twophase xid,
  /// GID, origin.
  public func encoded(operation: UInt8, version: WALVersion) -> (info: UInt8, mainData: [UInt8]) {
    let commit = operation == 0x00 || operation == 0x30
    let xinfo = xinfo(version: version, commit: commit)
    var data = WALBytes()
    data.int64(time.microsecondsSince2000)
    if xinfo != 0 { data.uint32(xinfo) }
    if let databaseInfo {
      data.uint32(databaseInfo.database)
      data.uint32(databaseInfo.tablespace)
    }
    if !subtransactions.isEmpty {
      data.int32(Int32(subtransactions.count))
      for xid in subtransactions { data.uint32(xid) }
    }
    if !droppedRelations.isEmpty {
      data.int32(Int32(droppedRelations.count))
      for relation in droppedRelations { data.relation(relation) }
    }
    if xinfo & 0x100 != 0 {
      data.int32(Int32(droppedStats.count))
      for item in droppedStats {
        data.int32(item.kind)
        data.uint32(item.database)
        if version.major >= 18 {
          data.uint32(UInt32(truncatingIfNeeded: item.object))
          data.uint32(UInt32(truncatingIfNeeded: item.object >> 32))
        } else {
          data.uint32(UInt32(truncatingIfNeeded: item.object))
        }
      }
    }
    if xinfo & 0x008 != 0 {
      data.int32(Int32(invalidations))
      data.append(WALBlockImage.pattern(count: 16 * invalidations, seed: 0x11))
    }
    if let twoPhaseTransactionID {
      data.uint32(twoPhaseTransactionID)
      if let globalIdentifier { data.cString(globalIdentifier) }
    }
    if let origin {
      data.uint64(origin.lsn.rawValue)
      data.int64(origin.time.microsecondsSince2000)
    }
    var info = operation
    if xinfo != 0 { info |= 0x80 }
    if !droppedRelations.isEmpty { info |= 0x01 }
    return (info, data.bytes)
  }
}
