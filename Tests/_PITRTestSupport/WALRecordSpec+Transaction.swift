import WAL

/// XACT resource manager records (FORMATS.md §4.4).
extension WALRecordSpec {
  /// `XLOG_XACT_COMMIT` (0x00) by transaction `xid`.
  public static func commit(xid: UInt32, _ parts: WALTransactionEndSpec) -> WALRecordSpec {
    transactionEnd(operation: 0x00, xid: xid, parts)
  }

  /// `XLOG_XACT_ABORT` (0x20) by transaction (or subtransaction) `xid`.
  public static func abort(xid: UInt32, _ parts: WALTransactionEndSpec) -> WALRecordSpec {
    transactionEnd(operation: 0x20, xid: xid, parts)
  }

  /// `XLOG_XACT_COMMIT_PREPARED` (0x30): `xl_xid` is 0 as PostgreSQL writes it; the prepared
  /// transaction is `parts.twoPhaseTransactionID`.
  public static func commitPrepared(_ parts: WALTransactionEndSpec, xid: UInt32 = 0)
    -> WALRecordSpec
  {
    transactionEnd(operation: 0x30, xid: xid, parts)
  }

  /// `XLOG_XACT_ABORT_PREPARED` (0x40), like `commitPrepared`.
  public static func abortPrepared(_ parts: WALTransactionEndSpec, xid: UInt32 = 0)
    -> WALRecordSpec
  {
    transactionEnd(operation: 0x40, xid: xid, parts)
  }

  private static func transactionEnd(
    operation: UInt8, xid: UInt32, _ parts: WALTransactionEndSpec
  ) -> WALRecordSpec {
    WALRecordSpec(
      resourceManager: ResourceManager.transaction, transactionID: xid,
      origin: parts.origin?.id
    ) { version in
      parts.encoded(operation: operation, version: version)
    }
  }

  /// `XLOG_XACT_PREPARE` (0x10): the `xl_xact_prepare` header (64 bytes up to PostgreSQL 14,
  /// 72 from 15), then GID, subxacts, commit rels, abort rels, [15+ commit and abort stats,]
  /// invals, each MAXALIGN'ed.
  public static func prepare(
    xid: UInt32, time: PostgresTimestamp, globalIdentifier: String, database: UInt32 = 16_384,
    owner: UInt32 = 10, subtransactions: [UInt32] = [],
    commitRelations: [RelationFileLocator] = [], abortRelations: [RelationFileLocator] = [],
    commitStats: [WALTransactionEndSpec.DroppedStats] = [],
    abortStats: [WALTransactionEndSpec.DroppedStats] = [], invalidations: Int = 0,
    origin: WALTransactionEndSpec.Origin? = nil
  ) -> WALRecordSpec {
    WALRecordSpec(resourceManager: ResourceManager.transaction, transactionID: xid) { version in
      let modern = version.major >= 15
      let gid = Array(globalIdentifier.utf8) + [0]
      var data = WALBytes()
      data.uint32(0x57F9_4534)  // TWOPHASE_MAGIC
      data.uint32(0)  // total_len, below
      data.uint32(xid)
      data.uint32(database)
      data.int64(time.microsecondsSince2000)
      data.uint32(owner)
      data.int32(Int32(subtransactions.count))
      data.int32(Int32(commitRelations.count))
      data.int32(Int32(abortRelations.count))
      if modern {
        data.int32(Int32(commitStats.count))
        data.int32(Int32(abortStats.count))
      }
      data.int32(Int32(invalidations))
      data.uint8(0)  // initfileinval
      data.uint8(0)
      data.uint16(UInt16(gid.count))
      data.align(to: 8)
      data.uint64(origin?.lsn.rawValue ?? 0)
      data.int64(origin?.time.microsecondsSince2000 ?? 0)
      precondition(data.count == (modern ? 72 : 64))
      data.append(gid)
      data.align(to: 8)
      for xid in subtransactions { data.uint32(xid) }
      data.align(to: 8)
      for relation in commitRelations { data.relation(relation) }
      data.align(to: 8)
      for relation in abortRelations { data.relation(relation) }
      data.align(to: 8)
      if modern {
        for items in [commitStats, abortStats] {
          for item in items {
            data.int32(item.kind)
            data.uint32(item.database)
            data.uint32(UInt32(truncatingIfNeeded: item.object))
            if version.major >= 18 { data.uint32(UInt32(truncatingIfNeeded: item.object >> 32)) }
          }
          data.align(to: 8)
        }
      }
      data.append(WALBlockImage.pattern(count: 16 * invalidations, seed: 0x22))
      data.align(to: 8)
      // The state file's total length includes its trailing CRC, which WAL does not carry.
      data.replace(at: 4, with: WALBytes.of(UInt32(data.count + 4)))
      return (0x10, data.bytes)
    }
  }
}
