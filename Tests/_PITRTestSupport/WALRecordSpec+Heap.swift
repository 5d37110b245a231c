import WAL

/// HEAP (10) and HEAP2 (9) row-change records (FORMATS.md §4.5); layouts are the same in
/// PostgreSQL 13–18.
extension WALRecordSpec {
  /// Tuple bytes from on-disk offset 23 on (null bitmap, padding, attributes): a stand-in.
  public static let sampleTuple: [UInt8] = [0x00, 0x2A, 0x00, 0x00, 0x00, 0x0B, 0x68, 0x65, 0x6C]

  /// `XLOG_HEAP_INSERT` (0x00; 0x80 `XLOG_HEAP_INIT_PAGE` when `initPage`): `xl_heap_insert`
  /// (offnum, flags). Block 0 is the page; its data (`xl_heap_header` + tuple) is left out
  /// when the block carries a full-page image, as below wal_level = logical.
  public static func heapInsert(
    xid: UInt32, relation: RelationFileLocator, block: UInt32, offset: UInt16,
    flags: UInt8 = 0, tuple: [UInt8] = sampleTuple, image: WALBlockImage? = nil,
    initPage: Bool = false
  ) -> WALRecordSpec {
    var main = WALBytes()
    main.uint16(offset)
    main.uint8(flags)
    let data = image == nil ? heapHeader + tuple : []
    return WALRecordSpec(
      resourceManager: ResourceManager.heap, info: initPage ? 0x80 : 0x00, transactionID: xid,
      blocks: [
        WALBlockReference(
          relation: relation, block: block, data: data, image: image, willInit: initPage)
      ],
      mainData: main.bytes)
  }

  /// `XLOG_HEAP_DELETE` (0x10): `xl_heap_delete` (xmax, offnum, infobits, flags); block 0.
  public static func heapDelete(
    xid: UInt32, relation: RelationFileLocator, block: UInt32, offset: UInt16,
    flags: UInt8 = 0, image: WALBlockImage? = nil
  ) -> WALRecordSpec {
    var main = WALBytes()
    main.uint32(xid)
    main.uint16(offset)
    main.uint8(0x01)  // infobits_set: XLHL_XMAX_IS_MULTI and friends (not decoded)
    main.uint8(flags)
    return WALRecordSpec(
      resourceManager: ResourceManager.heap, info: 0x10, transactionID: xid,
      blocks: [WALBlockReference(relation: relation, block: block, image: image)],
      mainData: main.bytes)
  }

  /// `XLOG_HEAP_UPDATE` (0x20) or `XLOG_HEAP_HOT_UPDATE` (0x40): `xl_heap_update` (14 bytes).
  /// Block 0 is the new page (with the new tuple as data unless it has an image), block 1 the
  /// old page when it differs.
  public static func heapUpdate(
    xid: UInt32, hot: Bool, relation: RelationFileLocator, newBlock: UInt32,
    newOffset: UInt16, oldBlock: UInt32? = nil, oldOffset: UInt16, flags: UInt8 = 0x10,
    tuple: [UInt8] = sampleTuple, image: WALBlockImage? = nil
  ) -> WALRecordSpec {
    var main = WALBytes()
    main.uint32(xid)
    main.uint16(oldOffset)
    main.uint8(0)
    main.uint8(flags)
    main.uint32(0)
    main.uint16(newOffset)
    let data = image == nil ? heapHeader + tuple : []
    var blocks = [WALBlockReference(relation: relation, block: newBlock, data: data, image: image)]
    if let oldBlock, oldBlock != newBlock {
      blocks.append(WALBlockReference(relation: relation, block: oldBlock))
    }
    return WALRecordSpec(
      resourceManager: ResourceManager.heap, info: hot ? 0x40 : 0x20, transactionID: xid,
      blocks: blocks, mainData: main.bytes)
  }

  /// `XLOG_HEAP_TRUNCATE` (0x30; wal_level = logical only): database, table OIDs, flags.
  public static func heapTruncate(
    xid: UInt32, database: UInt32, tables: [UInt32], flags: UInt8 = 0
  ) -> WALRecordSpec {
    var main = WALBytes()
    main.uint32(database)
    main.uint32(UInt32(tables.count))
    main.uint8(flags)
    main.zeros(3)
    for table in tables { main.uint32(table) }
    return WALRecordSpec(
      resourceManager: ResourceManager.heap, info: 0x30, transactionID: xid,
      mainData: main.bytes)
  }

  /// `XLOG_HEAP2_MULTI_INSERT` (HEAP2 0x50): `xl_heap_multi_insert` (flags, ntuples, and the
  /// offsets unless `initPage`); block 0 data holds each tuple, SHORTALIGN'ed, behind an
  /// `xl_multi_insert_tuple`.
  public static func heapMultiInsert(
    xid: UInt32, relation: RelationFileLocator, block: UInt32, rows: Int, initPage: Bool = false,
    tuple: [UInt8] = sampleTuple
  ) -> WALRecordSpec {
    var main = WALBytes()
    main.uint8(0)
    main.uint8(0)
    main.uint16(UInt16(rows))
    if !initPage {
      for index in 0..<rows { main.uint16(UInt16(index + 1)) }
    }
    var data = WALBytes()
    for _ in 0..<rows {
      data.align(to: 2)
      data.uint16(UInt16(tuple.count))
      data.uint16(3)  // t_infomask2
      data.uint16(0x0802)  // t_infomask
      data.uint8(24)  // t_hoff
      data.append(tuple)
    }
    return WALRecordSpec(
      resourceManager: ResourceManager.heap2, info: initPage ? 0xD0 : 0x50, transactionID: xid,
      blocks: [
        WALBlockReference(relation: relation, block: block, data: data.bytes, willInit: initPage)
      ],
      mainData: main.bytes)
  }

  /// `xl_heap_header`: t_infomask2, t_infomask, t_hoff (5 bytes).
  private static var heapHeader: [UInt8] {
    var header = WALBytes()
    header.uint16(3)
    header.uint16(0x0802)
    header.uint8(24)
    return header.bytes
  }
}
