import WAL

/// Little-endian bytes appended field by field: the main data of synthetic WAL records.
///
///     var data = WALBytes()
///     data.int64(time.microsecondsSince2000)
///     data.uint32(xinfo)
public struct WALBytes: Sendable {
  /// Everything appended so far.
  public private(set) var bytes: [UInt8] = []

  public init() {}

  /// How many bytes have been appended.
  public var count: Int { bytes.count }

  /// Appends an integer, least significant byte first.
  public mutating func integer<T: FixedWidthInteger>(_ value: T) {
    withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
  }

  public mutating func uint8(_ value: UInt8) { bytes.append(value) }
  public mutating func uint16(_ value: UInt16) { integer(value) }
  public mutating func uint32(_ value: UInt32) { integer(value) }
  public mutating func int32(_ value: Int32) { integer(value) }
  public mutating func uint64(_ value: UInt64) { integer(value) }
  public mutating func int64(_ value: Int64) { integer(value) }

  /// Appends raw bytes.
  public mutating func append(_ more: some Sequence<UInt8>) { bytes.append(contentsOf: more) }

  /// Appends `count` zero bytes.
  public mutating func zeros(_ count: Int) {
    bytes.append(contentsOf: repeatElement(0, count: count))
  }

  /// Appends zero bytes until the length is a multiple of `alignment` (8 for MAXALIGN).
  public mutating func align(to alignment: Int) {
    while bytes.count % alignment != 0 { bytes.append(0) }
  }

  /// Appends a relation's three OIDs (`RelFileNode` / `RelFileLocator`, 12 bytes).
  public mutating func relation(_ relation: RelationFileLocator) {
    uint32(relation.tablespace)
    uint32(relation.database)
    uint32(relation.relation)
  }

  /// Appends a string's UTF-8 bytes and a terminating NUL.
  public mutating func cString(_ text: String) {
    bytes.append(contentsOf: Array(text.utf8))
    bytes.append(0)
  }

  /// Overwrites bytes already appended, starting at `offset`.
  public mutating func replace(at offset: Int, with more: [UInt8]) {
    bytes.replaceSubrange(offset..<offset + more.count, with: more)
  }

  /// The little-endian bytes of one integer.
  public static func of<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
    var one = WALBytes()
    one.integer(value)
    return one.bytes
  }
}
