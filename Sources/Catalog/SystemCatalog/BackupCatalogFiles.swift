import Archives
import Foundation
import Storage

/// The catalog files of one base backup, read on demand without extracting anything: from
/// the data directory of a plain backup, or streamed out of `base.tar[.gz]`.
///
/// A tar is read in one pass that keeps every file the table lookup is likely to ask for
/// (`global/pg_filenode.map`, pg_database's `global/1262`, and in each `base/<dboid>/` its
/// `pg_filenode.map`, pg_class's `1259` and pg_namespace's `2615`); a file outside that set
/// (a catalog rewritten by VACUUM FULL has another filenode) costs one more pass.
struct BackupCatalogFiles {
  /// A relation file is at most one 1 GiB segment; catalogs are far smaller.
  static let sizeLimit = 1 << 30

  let backup: BaseBackup
  private var cache: [String: [UInt8]] = [:]
  private var tarPasses: [Set<String>] = []

  init(backup: BaseBackup) { self.backup = backup }

  /// The base archive's path, for a tar backup.
  var baseArchive: String? {
    backup.files.first { $0.role == .base }.map { "\(backup.path)/\($0.name)" }
  }

  /// Where the files are read from, for messages.
  var location: String { baseArchive ?? backup.path }

  /// The file at `path` (relative to the data directory), or `nil` when the backup has none.
  mutating func file(_ path: String) throws -> [UInt8]? {
    guard let archive = baseArchive else {
      let full = "\(backup.path)/\(path)"
      guard FileManager.default.fileExists(atPath: full) else { return nil }
      guard let data = FileManager.default.contents(atPath: full) else {
        throw BackupTableLookup.Failure("cannot read \(full)")
      }
      return Array(data)
    }
    if let bytes = cache[path] { return bytes }
    if tarPasses.contains(where: { $0.contains(path) }) { return nil }
    let wanted = tarPasses.isEmpty ? nil : Set([path])
    try readTar(archive, wanted: wanted)
    tarPasses.append(wanted ?? [path])
    return cache[path]
  }

  /// The default set: what a lookup needs when no catalog was rewritten.
  static func isLikelyWanted(_ path: String) -> Bool {
    if path == "global/pg_filenode.map" || path == "global/1262" { return true }
    let parts = path.split(separator: "/")
    guard parts.count == 3, parts[0] == "base", UInt32(parts[1]) != nil else { return false }
    return ["pg_filenode.map", "1259", "2615"].contains(parts[2])
  }

  /// Streams the archive, keeping the files in `wanted` (the likely set when `nil`).
  private mutating func readTar(_ archive: String, wanted: Set<String>?) throws {
    var reader = TarReader(try RepositoryStores.current.openDecompressed(archive))
    while let entry = try reader.next() {
      guard entry.kind == .regularFile else { continue }
      let path = entry.archivePath.normalized
      let keep = wanted.map { $0.contains(path) } ?? Self.isLikelyWanted(path)
      if keep { cache[path] = try reader.readAll(limit: Self.sizeLimit) }
    }
  }
}
