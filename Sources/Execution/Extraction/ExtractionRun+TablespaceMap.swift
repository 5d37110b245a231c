import Catalog
import Foundation

/// Pointing a restored data directory's `tablespace_map` at the tablespaces' new locations.
extension ExtractionRun {
  /// Rewrites `tablespace_map` so each OID it lists points at its new location, replacing the
  /// file atomically (a new file, flushed, renamed over the old). An empty map, as backups
  /// without tablespaces have, stays as it is.
  ///
  /// - Throws: ``ExtractionError`` when the map lists a tablespace with no new location, a
  ///   tar backup's map misses one of its tablespace archives, or the file cannot be read or
  ///   written.
  func rewriteTablespaceMap() throws {
    let path = dataTree.path(["tablespace_map"])
    guard let status = try FileSystemCalls.status(path), status.kind == .regularFile else {
      if layout.format == .tar, !tablespaceTrees.isEmpty {
        throw ExtractionError(
          .tablespace,
          "the base archive has no tablespace_map, so PostgreSQL could not find the "
            + "tablespaces", source: layout.sourceName)
      }
      return
    }
    let map = try readTablespaceMap(path, size: status.size)
    let listed = Set(map.entries.map(\.oid))
    if let oid = listed.sorted().first(where: { tablespaceTrees[$0] == nil }) {
      throw ExtractionError.unmappedTablespace(oid).inSource("tablespace_map")
    }
    if layout.format == .tar,
      let oid = layout.tablespaceOIDs.sorted().first(where: { !listed.contains($0) })
    {
      throw ExtractionError(
        .tablespace, "tablespace \(oid) has an archive but is not in tablespace_map",
        source: layout.sourceName)
    }
    guard !map.entries.isEmpty else { return }
    let moved = TablespaceMap(
      entries: map.entries.map { .init(oid: $0.oid, path: tablespaceTrees[$0.oid]?.root ?? "") })
    if majorVersion() == 13, !moved.isReadableByPostgreSQL13 {
      throw ExtractionError(
        .tablespace,
        "a new tablespace location has a backslash or a line break, which PostgreSQL 13 "
          + "cannot read from tablespace_map")
    }
    let temporary = path + ".pitr-new"
    let file = try OutputFile(creating: temporary, writeBack: extractor.syncToDisk)
    try Array(moved.text.utf8).withUnsafeBytes { try file.write($0) }
    try file.finish(mode: status.mode, owner: dataTree.owner, modificationTime: nil)
    if extractor.syncToDisk { try FileSystemCalls.sync(temporary, directory: false) }
    try FileSystemCalls.rename(temporary, to: path)
  }

  // MARK: - Helpers

  /// Reads and parses the extracted `tablespace_map`.
  private func readTablespaceMap(_ path: String, size: Int64) throws -> TablespaceMap {
    guard size <= 1 << 20, let data = FileManager.default.contents(atPath: path) else {
      throw ExtractionError(.tablespace, "cannot read \(path) (\(size) bytes)")
    }
    do {
      return try TablespaceMap(parsing: String(decoding: data, as: UTF8.self))
    } catch {
      throw ExtractionError(.tablespace, error.description, source: layout.sourceName)
    }
  }

  /// The major version in the extracted `PG_VERSION`, nil when it cannot be read.
  private func majorVersion() -> Int? {
    guard let data = FileManager.default.contents(atPath: dataTree.path(["PG_VERSION"])) else {
      return nil
    }
    let text = String(decoding: data.prefix(16), as: UTF8.self)
    return Int(text.prefix { $0.isNumber })
  }
}
