/// A `pg_filenode.map` file (relmapper.c): the relfilenodes of the mapped catalogs, whose
/// pg_class row says 0. `global/pg_filenode.map` maps the shared ones (pg_database is 1262),
/// `base/<dboid>/pg_filenode.map` the database's own (pg_class is 1259).
///
/// Layout: `magic` (i32, 0x592717), `num_mappings` (i32), then `num_mappings` pairs of
/// (`mapoid`, `mapfilenumber`), u32 each; a CRC-32C and padding follow the fixed-size array.
public struct RelationMapFile: Sendable, Equatable {
  public static let magic: UInt32 = 0x0059_2717
  /// `MAX_MAPPINGS` (64 in 15–18).
  static let maximumMappings = 64

  /// The filenode of each mapped catalog, by its OID.
  public var filenodes: [UInt32: UInt32]

  /// Parses the file; `nil` when its magic or count is wrong.
  public init?(_ bytes: [UInt8]) {
    guard bytes.count >= 8, HeapPage.uint32(bytes, 0) == Self.magic else { return nil }
    let count = Int(HeapPage.uint32(bytes, 4))
    guard count <= Self.maximumMappings, bytes.count >= 8 + 8 * count else { return nil }
    filenodes = [:]
    for index in 0..<count {
      filenodes[HeapPage.uint32(bytes, 8 + 8 * index)] = HeapPage.uint32(bytes, 12 + 8 * index)
    }
  }
}
