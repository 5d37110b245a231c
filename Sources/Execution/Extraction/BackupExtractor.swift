import Catalog
import Foundation

/// Extracts a base backup into a new data directory, natively and streaming, checking every
/// file against `backup_manifest` as it is written.
///
/// Tar backups: `base.tar[.gz]` goes into the data directory, `pg_wal.tar[.gz]` into its
/// `pg_wal/`, each `<oid>.tar[.gz]` into the tablespace's new location, and
/// `tablespace_map` is rewritten to point there. Plain backups are copied file by file, each
/// `pg_tblspc/<oid>` link's directory into the new location, the link retargeted.
///
/// Entries that would land outside their destination (absolute paths, `..`, links pointing
/// out, anything through a link) are refused, as are symbolic links other than
/// `pg_tblspc/<oid>`. A file whose size or checksum differs from the manifest, a file the
/// manifest lists that the backup lacks, and a file the manifest does not list stop the
/// extraction with an ``ExtractionError`` naming it; files `pg_verifybackup` ignores
/// (`pg_wal/`, `postgresql.auto.conf`, …) are exempt. Nothing is removed on failure: the
/// caller decides, and must not start PostgreSQL on the directory.
///
/// ```swift
/// let extractor = BackupExtractor(
///   backupFolder: backup.path, format: backup.format, dataDirectory: "/srv/restore",
///   tablespaces: [16384: "/srv/restore-ts"], owner: FileOwner(userName: "postgres"))
/// let report = try extractor.extract { print($0.bytesWritten, "of", $0.totalBytes) }
/// ```
public struct BackupExtractor: Hashable, Sendable {
  /// The folder holding the backup: its archives (tar), or the copied data directory (plain).
  public var backupFolder: String
  /// Tar or plain.
  public var format: BaseBackup.Format
  /// The data directory to create: absent, or an empty directory.
  public var dataDirectory: String
  /// Each tablespace's new location (absolute; absent or empty), by OID. Every tablespace of
  /// the backup needs one.
  public var tablespaces: [UInt32: String]
  /// Who gets every file, directory and tablespace location; nil keeps this process's user.
  public var owner: FileOwner?
  /// Whether to check the files against `backup_manifest`, which must then be present.
  public var verifyAgainstManifest: Bool
  /// Whether to flush every file and directory to disk before returning. Only tests, like
  /// `pg_basebackup --no-sync`, should turn it off: a crash could then lose files.
  public var syncToDisk: Bool

  /// Describes an extraction; nothing happens until ``extract(progress:)``.
  public init(
    backupFolder: String, format: BaseBackup.Format, dataDirectory: String,
    tablespaces: [UInt32: String] = [:], owner: FileOwner? = nil,
    verifyAgainstManifest: Bool = true, syncToDisk: Bool = true
  ) {
    self.backupFolder = backupFolder
    self.format = format
    self.dataDirectory = dataDirectory
    self.tablespaces = tablespaces
    self.owner = owner
    self.verifyAgainstManifest = verifyAgainstManifest
    self.syncToDisk = syncToDisk
  }

  /// Extracts everything, then flushes every file and directory to disk (see
  /// ``syncToDisk``).
  ///
  /// The data directory ends with mode 0700; files and directories keep the backup's modes;
  /// with an ``owner``, everything written is given to it.
  ///
  /// - Parameter progress: Called with the bytes written and the bytes expected, no more
  ///   often than once per MiB and once per 200 ms, and once at the end.
  /// - Returns: What was written.
  /// - Throws: ``ExtractionError``; what was written before the error stays.
  public func extract(progress: (ExtractionProgress) -> Void) throws -> ExtractionReport {
    let manifest = verifyAgainstManifest ? try readManifest() : nil
    let layout = try BackupLayout(folder: backupFolder, format: format)
    try checkTablespaces(against: layout)
    let dataTree = try DestinationTree(
      root: dataDirectory, owner: owner, name: "the data directory")
    var tablespaceTrees: [UInt32: DestinationTree] = [:]
    for (oid, location) in tablespaces.sorted(by: { $0.key < $1.key }) {
      tablespaceTrees[oid] = try DestinationTree(
        root: location, owner: owner, name: "the location of tablespace \(oid)")
    }
    return try withoutActuallyEscaping(progress) { progress in
      try ExtractionRun(
        extractor: self, layout: layout, manifest: manifest, dataTree: dataTree,
        tablespaceTrees: tablespaceTrees, progress: progress
      ).run()
    }
  }

  // MARK: - Helpers

  /// Reads and verifies `backup_manifest`.
  private func readManifest() throws -> BackupManifest {
    let path = backupFolder + "/backup_manifest"
    guard let data = RepositoryFiles.contents(of: path) else {
      throw ExtractionError(
        .manifest,
        "cannot read \(path); it is needed to verify the backup as it is extracted")
    }
    do {
      return try BackupManifest(parsing: data)
    } catch {
      throw ExtractionError(.manifest, "\(path): \(error.description)")
    }
  }

  /// Checks that the backup's tablespaces and the new locations match one to one, and that
  /// every location is absolute and used once (not by the data directory either).
  private func checkTablespaces(against layout: BackupLayout) throws {
    if let oid = layout.tablespaceOIDs.sorted().first(where: { tablespaces[$0] == nil }) {
      throw ExtractionError.unmappedTablespace(oid)
    }
    if let oid = tablespaces.keys.sorted().first(where: { !layout.tablespaceOIDs.contains($0) }) {
      throw ExtractionError.unknownTablespace(oid)
    }
    var taken = [(dataDirectory as NSString).standardizingPath: "the data directory"]
    for (oid, location) in tablespaces.sorted(by: { $0.key < $1.key }) {
      guard location.hasPrefix("/") else {
        throw ExtractionError(
          .destination,
          "the new location of tablespace \(oid), '\(location)', is not an absolute path")
      }
      let path = (location as NSString).standardizingPath
      if let other = taken[path] {
        throw ExtractionError(
          .destination, "tablespace \(oid) cannot share its new location \(location) with \(other)")
      }
      taken[path] = "tablespace \(oid)"
    }
  }
}
