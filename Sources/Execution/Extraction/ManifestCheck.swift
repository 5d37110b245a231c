import Catalog

/// What `backup_manifest` says each file of a backup must be, and which files extraction has
/// met, so that a file that differs, is missing, or is not listed stops the extraction.
///
/// Paths are relative to the data directory, tablespace files as `pg_tblspc/<oid>/…`. Like
/// PostgreSQL's `pg_verifybackup`, files at or below ``ignoredPaths`` are neither verified
/// nor required nor refused.
struct ManifestCheck {
  /// `pg_verifybackup`'s ignore list (`src/bin/pg_verifybackup/pg_verifybackup.c`, 13–18):
  /// the manifest itself; `pg_wal`, whose files WAL-Ranges covers instead; and the files
  /// `pg_basebackup -R` may write or change after the manifest is made.
  static let ignoredPaths = [
    "backup_manifest", "pg_wal", "postgresql.auto.conf", "recovery.signal", "standby.signal",
  ]

  /// The manifest's files not met yet, by path.
  private var pending: [String: BackupManifest.File]
  /// The sum of the sizes of every file the manifest lists.
  let totalSize: Int64

  /// Starts checking against `manifest`.
  init(_ manifest: BackupManifest) {
    pending = Dictionary(manifest.files.map { ($0.path, $0) }) { first, _ in first }
    totalSize = manifest.files.reduce(0) { $0 + Int64(clamping: $1.size) }
  }

  /// Whether `path` is, or is below, one of the ``ignoredPaths``.
  static func isIgnored(_ path: String) -> Bool {
    ignoredPaths.contains { path == $0 || path.hasPrefix($0 + "/") }
  }

  /// Notes that the backup has the file `path` and returns what the manifest says of it.
  ///
  /// - Returns: The manifest's entry, or nil for an ignored path.
  /// - Throws: ``ExtractionError`` when the manifest does not list the file (or it was met
  ///   before).
  mutating func claim(_ path: String) throws -> BackupManifest.File? {
    if Self.isIgnored(path) { return nil }
    guard let file = pending.removeValue(forKey: path) else {
      throw ExtractionError.notInManifest(path)
    }
    return file
  }

  /// Checks that every file of the manifest was met, ignored ones aside.
  ///
  /// - Throws: ``ExtractionError`` listing the missing files.
  func checkNothingMissing() throws {
    let missing = pending.keys.filter { !Self.isIgnored($0) }.sorted()
    guard missing.isEmpty else { throw ExtractionError.missingFiles(missing) }
  }

  /// Checks a file's size and checksum against its manifest entry.
  ///
  /// - Parameters:
  ///   - file: The manifest's entry.
  ///   - size: How many bytes the file has.
  ///   - checksum: The checksum computed over them, when the entry has one.
  /// - Throws: ``ExtractionError`` naming the file and what differs.
  static func verify(_ file: BackupManifest.File, size: Int64, checksum: FileChecksum?) throws {
    guard size >= 0, UInt64(size) == file.size else {
      throw ExtractionError.sizeMismatch(file.path, expected: file.size, found: size)
    }
    if let expected = file.checksum, let computed = checksum?.checksum, computed != expected {
      throw ExtractionError.checksumMismatch(file.path, expected: expected, computed: computed)
    }
  }
}
