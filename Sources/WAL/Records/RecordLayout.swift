/// The parts of a record after its 24-byte header: block references, then the payloads, then
/// the main data (FORMATS.md §3.3–3.4).
struct RecordLayout {
  /// A block reference's relation and block number (from `XLogRecordBlockHeader`).
  struct BlockReference {
    var id: UInt8
    var relation: RelationFileLocator
    var block: UInt32
    var hasImage: Bool
    /// Offset and length of the block's data (not its image) within the record.
    var data: Range<Int>
  }

  /// The first block reference (the page a heap record changes), unless not wanted.
  var firstBlock: BlockReference?
  /// Offset and length of the main data within the record.
  var mainData: Range<Int>
  /// `XLR_BLOCK_ID_TOPLEVEL_XID`: the top-level transaction of a subtransaction's record.
  var topLevelTransactionID: UInt32?

  /// Walks the fragment headers; `nil` when they do not add up to the record's length.
  /// `wantBlocks: false` skips the first block reference (XACT and XLOG records have none
  /// worth knowing). Nothing is allocated: this runs for every heap record.
  init?(_ bytes: UnsafeRawBufferPointer, version: WALVersion, wantBlocks: Bool = true) {
    let total = bytes.count
    var offset = 24
    var payload = 0
    var mainLength = 0
    var lastRelation: RelationFileLocator?
    /// The first block reference, and the length of its image (its data follows the image).
    var first: (id: UInt8, relation: RelationFileLocator, block: UInt32, image: Int, data: Int, hasImage: Bool)?
    func u8() -> UInt8? {
      guard offset + 1 <= total else { return nil }
      defer { offset += 1 }
      return bytes[offset]
    }
    func u16() -> UInt16? {
      guard offset + 2 <= total else { return nil }
      defer { offset += 2 }
      return UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }
    func u32() -> UInt32? {
      guard offset + 4 <= total else { return nil }
      defer { offset += 4 }
      return UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }
    let compressedMask: UInt8 = version.major >= 15 ? 0x1C : 0x02
    parsing: while offset < total {
      guard let id = u8() else { return nil }
      switch id {
      case 255:
        guard let length = u8() else { return nil }
        mainLength = Int(length)
        break parsing
      case 254:
        guard let length = u32() else { return nil }
        mainLength = Int(length)
        break parsing
      case 253:
        guard u16() != nil else { return nil }
      case 252:
        guard let xid = u32() else { return nil }
        topLevelTransactionID = xid
      case 0...32:
        guard let forkFlags = u8(), let dataLength = u16() else { return nil }
        var imageLength = 0
        let hasImage = forkFlags & 0x10 != 0
        if hasImage {
          guard let length = u16(), u16() != nil, let info = u8() else { return nil }
          imageLength = Int(length)
          if info & compressedMask != 0, info & 0x01 != 0 {
            guard u16() != nil else { return nil }
          }
        }
        let relation: RelationFileLocator
        if forkFlags & 0x80 != 0 {
          guard let previous = lastRelation else { return nil }
          relation = previous
        } else {
          guard let spc = u32(), let db = u32(), let rel = u32() else { return nil }
          relation = RelationFileLocator(tablespace: spc, database: db, relation: rel)
        }
        guard let block = u32() else { return nil }
        lastRelation = relation
        payload += imageLength + Int(dataLength)
        if wantBlocks, first == nil {
          first = (id, relation, block, imageLength, Int(dataLength), hasImage)
        }
      default:
        return nil
      }
    }
    guard offset + payload + mainLength == total else { return nil }
    if let first {
      // Payloads follow the headers in block order: the first block's image, then its data.
      let start = offset + first.image
      firstBlock = BlockReference(
        id: first.id, relation: first.relation, block: first.block, hasImage: first.hasImage,
        data: start..<start + first.data)
    }
    mainData = (total - mainLength)..<total
  }
}

/// A relation's files, as WAL names them: tablespace, database and relfilenode OIDs
/// (`RelFileNode` up to PostgreSQL 15, `RelFileLocator` from 16).
public struct RelationFileLocator: Hashable, Sendable, Codable, CustomStringConvertible {
  public var tablespace: UInt32
  public var database: UInt32
  /// The relfilenode (not `pg_class.oid`; they differ after TRUNCATE, VACUUM FULL, CLUSTER).
  public var relation: UInt32

  public init(tablespace: UInt32, database: UInt32, relation: UInt32) {
    self.tablespace = tablespace
    self.database = database
    self.relation = relation
  }

  /// Parses `SPC/DB/REL` as pg_waldump prints it (`1663/16384/16386`).
  public init?(_ text: String) {
    let parts = text.split(separator: "/", omittingEmptySubsequences: false).map { UInt32($0) }
    guard parts.count == 3, let spc = parts[0], let db = parts[1], let rel = parts[2] else {
      return nil
    }
    self.init(tablespace: spc, database: db, relation: rel)
  }

  /// `1663/16384/16386`.
  public var description: String { "\(tablespace)/\(database)/\(relation)" }
}
