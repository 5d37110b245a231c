/// The leading fixed-width columns of the catalogs `pitr wal find --table` reads from a base
/// backup, per major version, as the major's `postgres.bki` declares them (`oid` is a
/// regular first column since 12).
///
/// pg_database gained `dathasloginevt` (a bool after `datallowconn`) in 17; pg_class's
/// columns up to `reltablespace` are the same in 15–18 (18 adds `relallfrozen` later on).
/// Columns after the last one read are never needed, so varlena columns are not modelled.
public struct CatalogRowLayout: Sendable {
  /// A column's type: its width and alignment (`typlen`, `typalign`).
  public enum ColumnType: Sendable {
    case oid, name, int4, char, bool, xid, float4, int2

    var width: Int {
      switch self {
      case .oid, .int4, .xid, .float4: 4
      case .name: 64
      case .char, .bool: 1
      case .int2: 2
      }
    }

    var alignment: Int {
      switch self {
      case .oid, .int4, .xid, .float4: 4
      case .name, .char, .bool: 1
      case .int2: 2
      }
    }
  }

  public var columns: [(name: String, type: ColumnType)]

  /// pg_database up to `dattablespace`.
  public static func database(major: Int) -> CatalogRowLayout {
    var columns: [(String, ColumnType)] = [
      ("oid", .oid), ("datname", .name), ("datdba", .oid), ("encoding", .int4),
      ("datlocprovider", .char), ("datistemplate", .bool), ("datallowconn", .bool),
    ]
    if major >= 17 { columns.append(("dathasloginevt", .bool)) }
    columns += [
      ("datconnlimit", .int4), ("datfrozenxid", .xid), ("datminmxid", .xid), ("dattablespace", .oid),
    ]
    return CatalogRowLayout(columns: columns)
  }

  /// pg_namespace up to `nspowner`.
  public static let namespace = CatalogRowLayout(columns: [("oid", .oid), ("nspname", .name), ("nspowner", .oid)])

  /// pg_class up to `reltablespace` (15–18).
  public static let relation = CatalogRowLayout(columns: [
    ("oid", .oid), ("relname", .name), ("relnamespace", .oid), ("reltype", .oid), ("reloftype", .oid),
    ("relowner", .oid), ("relam", .oid), ("relfilenode", .oid), ("reltablespace", .oid),
  ])

  /// Where column `name` starts in `tuple.data`, aligning each column as heap_deform_tuple
  /// does and skipping null ones; `nil` when it is null, not stored, or past the data.
  public func offset(of name: String, in tuple: HeapTuple) -> Int? {
    var offset = 0
    for (index, column) in columns.enumerated() {
      if tuple.isNull(index) {
        if column.name == name { return nil }
        continue
      }
      offset = (offset + column.type.alignment - 1) / column.type.alignment * column.type.alignment
      if column.name == name {
        return offset + column.type.width <= tuple.data.count ? offset : nil
      }
      offset += column.type.width
    }
    return nil
  }

  /// A 4-byte column (`oid`, `xid`, `int4`).
  public func uint32(_ name: String, in tuple: HeapTuple) -> UInt32? {
    offset(of: name, in: tuple).map { HeapPage.uint32(tuple.data, $0) }
  }

  /// A `name` column: up to its first NUL, as UTF-8.
  public func name(_ column: String, in tuple: HeapTuple) -> String? {
    guard let start = offset(of: column, in: tuple) else { return nil }
    let bytes = tuple.data[start..<start + 64]
    return String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
  }
}
