import Foundation

/// Heap pages built byte by byte as PostgreSQL writes them (bufpage.h, htup_details.h), for
/// the decoder's tests: tuples stored from the page's end, line pointers after the header.
struct HeapPageBuilder {
  /// One column value, aligned as its type is.
  enum Value {
    case oid(UInt32)
    case name(String)
    case int4(Int32)
    case char(UInt8)
    case bool(Bool)
    case xid(UInt32)
    case float4(Float)
    case null

    var alignment: Int {
      switch self {
      case .oid, .int4, .xid, .float4: 4
      case .name, .char, .bool, .null: 1
      }
    }

    var bytes: [UInt8] {
      switch self {
      case .oid(let value), .xid(let value): HeapPageBuilder.le(value)
      case .int4(let value): HeapPageBuilder.le(UInt32(bitPattern: value))
      case .float4(let value): HeapPageBuilder.le(value.bitPattern)
      case .name(let text): Array((Array(text.utf8) + [UInt8](repeating: 0, count: 64)).prefix(64))
      case .char(let value): [value]
      case .bool(let value): [value ? 1 : 0]
      case .null: []
      }
    }
  }

  /// A tuple: its header fields and values.
  struct Tuple {
    var xmin: UInt32
    var xmax: UInt32 = 0
    /// `t_infomask` without `HEAP_HASNULL` (added when a value is null); by default the
    /// inserter committed and no one deleted it.
    var infomask: UInt16 = 0x0100 | 0x0800
    var values: [Value]
    /// The line pointer's flags (1 = LP_NORMAL, 3 = LP_DEAD, 0 = unused).
    var lineFlags: UInt32 = 1
  }

  static let pageSize = 8192

  static func le(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }
  static func le16(_ value: UInt16) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8)] }

  /// The tuple's bytes: header, null bitmap, padding to `t_hoff`, aligned values.
  static func bytes(of tuple: Tuple) -> [UInt8] {
    let hasNull = tuple.values.contains { if case .null = $0 { true } else { false } }
    let bitmapLength = hasNull ? (tuple.values.count + 7) / 8 : 0
    let hoff = (23 + bitmapLength + 7) / 8 * 8
    var header = le(tuple.xmin) + le(tuple.xmax) + le(0) + [0, 0, 0, 0, 1, 0]
    header += le16(UInt16(tuple.values.count)) + le16(tuple.infomask | (hasNull ? 0x0001 : 0)) + [UInt8(hoff)]
    if hasNull {
      var bitmap = [UInt8](repeating: 0, count: bitmapLength)
      for (index, value) in tuple.values.enumerated() {
        if case .null = value { continue }
        bitmap[index / 8] |= 1 << (index % 8)
      }
      header += bitmap
    }
    header += [UInt8](repeating: 0, count: hoff - header.count)
    var data: [UInt8] = []
    for value in tuple.values {
      if case .null = value { continue }
      while data.count % value.alignment != 0 { data.append(0) }
      data += value.bytes
    }
    return header + data
  }

  /// One page holding `tuples` in line pointer order.
  static func page(_ tuples: [Tuple]) -> [UInt8] {
    var page = [UInt8](repeating: 0, count: pageSize)
    var upper = pageSize
    var pointers: [UInt32] = []
    for tuple in tuples {
      let bytes = bytes(of: tuple)
      upper = (upper - bytes.count) / 8 * 8
      page.replaceSubrange(upper..<upper + bytes.count, with: bytes)
      pointers.append(UInt32(upper) | tuple.lineFlags << 15 | UInt32(bytes.count) << 17)
    }
    let lower = 24 + 4 * pointers.count
    page.replaceSubrange(
      12..<20, with: le16(UInt16(lower)) + le16(UInt16(upper)) + le16(UInt16(pageSize)) + le16(0x2004))
    for (index, pointer) in pointers.enumerated() {
      page.replaceSubrange(24 + 4 * index..<28 + 4 * index, with: le(pointer))
    }
    return page
  }

  /// A pg_class row (15–18) up to `relallvisible`.
  static func classRow(
    oid: UInt32, name: String, namespace: UInt32, filenode: UInt32, tablespace: UInt32 = 0
  ) -> [Value] {
    [
      .oid(oid), .name(name), .oid(namespace), .oid(0), .oid(0), .oid(10), .oid(2), .oid(filenode),
      .oid(tablespace), .int4(0), .float4(-1), .int4(0),
    ]
  }

  /// A pg_database row of `major` up to `dattablespace`, then a null `datacl`-like column.
  static func databaseRow(major: Int, oid: UInt32, name: String, tablespace: UInt32 = 1663) -> [Value] {
    [.oid(oid), .name(name), .oid(10), .int4(6), .char(0x63), .bool(false), .bool(true)]
      + (major >= 17 ? [.bool(false)] : []) + [.int4(-1), .xid(716), .xid(1), .oid(tablespace), .null]
  }

  /// A pg_namespace row, with a null `nspacl`.
  static func namespaceRow(oid: UInt32, name: String) -> [Value] { [.oid(oid), .name(name), .oid(10), .null] }

  /// A `pg_filenode.map` mapping OIDs to filenodes (512 bytes, as 15–18 write it).
  static func relationMap(_ mappings: [(UInt32, UInt32)]) -> [UInt8] {
    var bytes = le(0x0059_2717) + le(UInt32(mappings.count))
    for (oid, node) in mappings { bytes += le(oid) + le(node) }
    return bytes + [UInt8](repeating: 0, count: 524 - bytes.count)
  }
}
