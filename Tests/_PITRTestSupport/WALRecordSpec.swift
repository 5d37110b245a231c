import PostgresVocabulary
import WAL

/// One synthetic WAL record before it is placed: header fields, block references and main
/// data. `WALSegmentBuilder` fills in `xl_prev` and the CRC and lays it out on pages.
///
/// The info byte and main data may depend on the PostgreSQL version (struct sizes changed
/// between majors), so they are computed for the builder's version when the record is encoded.
public struct WALRecordSpec: Sendable {
  /// `xl_rmid`.
  public var resourceManager: UInt8
  /// `xl_xid`.
  public var transactionID: UInt32
  /// Block references, ids 0, 1, … in order.
  public var blocks: [WALBlockReference]
  /// `XLR_BLOCK_ID_ORIGIN`: the replication origin that wrote the record.
  public var origin: UInt16?
  /// `XLR_BLOCK_ID_TOPLEVEL_XID` (14+): the top-level transaction of a subtransaction.
  public var topLevelTransactionID: UInt32?
  /// `xl_info` and the main data for a version.
  public var content: @Sendable (WALVersion) -> (info: UInt8, mainData: [UInt8])

  /// A record whose info and main data are the same in every version.
  public init(
    resourceManager: UInt8, info: UInt8, transactionID: UInt32 = 0,
    blocks: [WALBlockReference] = [], origin: UInt16? = nil, topLevelTransactionID: UInt32? = nil,
    mainData: [UInt8] = []
  ) {
    self.init(
      resourceManager: resourceManager, transactionID: transactionID, blocks: blocks,
      origin: origin, topLevelTransactionID: topLevelTransactionID
    ) { _ in (info, mainData) }
  }

  /// A record whose info and main data depend on the version.
  public init(
    resourceManager: UInt8, transactionID: UInt32 = 0, blocks: [WALBlockReference] = [],
    origin: UInt16? = nil, topLevelTransactionID: UInt32? = nil,
    content: @escaping @Sendable (WALVersion) -> (info: UInt8, mainData: [UInt8])
  ) {
    self.resourceManager = resourceManager
    self.transactionID = transactionID
    self.blocks = blocks
    self.origin = origin
    self.topLevelTransactionID = topLevelTransactionID
    self.content = content
  }

  // MARK: - Encoding

  /// The whole record as PostgreSQL writes it (`XLogRecordAssemble`): the 24-byte header,
  /// the fragment headers, the block payloads, then the main data; CRC-32C filled in.
  ///
  /// - Parameters:
  ///   - previous: `xl_prev`, the start of the record before it.
  ///   - version: decides `bimg_info` bits and version-dependent main data.
  public func encoded(previous: LSN, version: WALVersion) -> [UInt8] {
    let (info, mainData) = content(version)
    var headers = WALBytes()
    var payloads = WALBytes()
    var lastRelation: RelationFileLocator?
    for (index, block) in blocks.enumerated() {
      let sameRelation = block.relation == lastRelation
      var forkFlags = block.fork & 0x0F
      if block.image != nil { forkFlags |= 0x10 }
      if !block.data.isEmpty { forkFlags |= 0x20 }
      if block.willInit { forkFlags |= 0x40 }
      if sameRelation { forkFlags |= 0x80 }
      headers.uint8(UInt8(index))
      headers.uint8(forkFlags)
      headers.uint16(UInt16(block.data.count))
      if let image = block.image {
        headers.uint16(UInt16(image.bytes.count))
        headers.uint16(image.holeOffset)
        headers.uint8(image.info(version: version))
        if image.compression != .none, image.hasHole { headers.uint16(image.holeLength) }
        payloads.append(image.bytes)
      }
      if !sameRelation { headers.relation(block.relation) }
      headers.uint32(block.block)
      payloads.append(block.data)
      lastRelation = block.relation
    }
    if let origin {
      headers.uint8(253)
      headers.uint16(origin)
    }
    if let topLevelTransactionID {
      headers.uint8(252)
      headers.uint32(topLevelTransactionID)
    }
    if mainData.count >= 256 {
      headers.uint8(254)
      headers.uint32(UInt32(mainData.count))
    } else if !mainData.isEmpty {
      headers.uint8(255)
      headers.uint8(UInt8(mainData.count))
    }
    payloads.append(mainData)

    var record = WALBytes()
    record.uint32(UInt32(24 + headers.count + payloads.count))
    record.uint32(transactionID)
    record.uint64(previous.rawValue)
    record.uint8(info)
    record.uint8(resourceManager)
    record.zeros(2)
    record.uint32(0)  // xl_crc, below
    record.append(headers.bytes)
    record.append(payloads.bytes)
    var bytes = record.bytes
    bytes.replaceSubrange(20..<24, with: WALBytes.of(Self.checksum(bytes)))
    return bytes
  }

  /// The CRC-32C PostgreSQL stores in `xl_crc` (FORMATS.md §3.2): bytes 24 to the end, then
  /// the header's first 20 bytes.
  public static func checksum(_ record: [UInt8]) -> UInt32 {
    var crc = CRC32C()
    crc.update(record[24...])
    crc.update(record[..<20])
    return crc.value
  }
}
