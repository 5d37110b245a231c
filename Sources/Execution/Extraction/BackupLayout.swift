import Catalog
import Foundation
import Storage

/// The files of a backup folder that extraction reads, found by their names.
///
/// Tar format: `base.tar[.gz]`, `pg_wal.tar[.gz]` and one `<oid>.tar[.gz]` per tablespace
/// (other compressions are found too, and refused with a clear error when opened). Plain
/// format: the folder is a data directory, its tablespaces the `pg_tblspc/<oid>` links.
struct BackupLayout {
  /// The backup folder.
  var folder: String
  /// Tar or plain.
  var format: BaseBackup.Format
  /// The base archive's path (tar format).
  var baseArchive: String?
  /// `pg_wal.tar[.gz]`'s path, when the backup streamed its WAL (tar format).
  var walArchive: String?
  /// Each tablespace's archive path, by OID (tar format).
  var tablespaceArchives: [UInt32: String] = [:]
  /// The OIDs of the backup's tablespaces.
  var tablespaceOIDs: Set<UInt32> = []
  /// The bytes of WAL the backup carries: `pg_wal.tar`'s size, or the plain `pg_wal/`'s files.
  var walSize: Int64 = 0
  /// The bytes of every file extraction reads, as stored.
  var sizeOnDisk: Int64 = 0

  /// A remote backup's files (`ssh://…`, `s3://…`), as its store lists them; empty for a
  /// local one.
  var remoteFiles: [StoredFile] = []

  /// The name messages give the backup as a whole: its folder.
  var sourceName: String { folder }

  /// Finds the files of the backup in `folder`.
  ///
  /// - Throws: ``ExtractionError`` when the folder cannot be read, or a tar backup has no
  ///   base archive (or two).
  init(folder: String, format: BaseBackup.Format) throws {
    self.folder = folder
    self.format = format
    if RepositoryStores.isRemote(folder) {
      try findRemoteParts()
      return
    }
    switch format {
    case .tar: try findArchives()
    case .plain: try findPlainParts()
    }
  }

  /// The size of the file at `path`, following links; 0 when it is not a regular file.
  static func size(of path: String) throws -> Int64 {
    guard let status = try FileSystemCalls.status(path, followingLinks: true),
      status.kind == .regularFile
    else { return 0 }
    return status.size
  }

  // MARK: - Tar

  /// `name` without its `.tar…` suffix, when it is a tar archive's name.
  private static func archiveStem(_ name: String) -> Substring? {
    guard let dot = name.firstIndex(of: ".") else { return nil }
    let suffix = name[dot...]
    guard suffix == ".tar" || suffix.hasPrefix(".tar.") else { return nil }
    return name[..<dot]
  }

  /// Finds the base, WAL and tablespace archives among the folder's files.
  private mutating func findArchives() throws {
    var bases: [String] = []
    for name in try FileSystemCalls.names(in: folder) {
      guard let stem = Self.archiveStem(name) else { continue }
      let path = folder + "/" + name
      if stem == "base" {
        bases.append(path)
      } else if stem == "pg_wal" {
        walArchive = path
        walSize = try Self.size(of: path)
      } else if stem.allSatisfy(\.isASCII), stem.allSatisfy(\.isNumber), let oid = UInt32(stem) {
        tablespaceArchives[oid] = path
        tablespaceOIDs.insert(oid)
      } else {
        continue
      }
      sizeOnDisk += try Self.size(of: path)
    }
    guard bases.count == 1 else {
      throw ExtractionError(
        .archive,
        bases.isEmpty
          ? "no base.tar or base.tar.gz in \(folder)"
          : "more than one base archive in \(folder): "
            + bases.map { ($0 as NSString).lastPathComponent }.joined(separator: ", "))
    }
    baseArchive = bases[0]
  }

  // MARK: - Plain

  /// Finds a plain backup's tablespace links, the size of its WAL and of all its files.
  private mutating func findPlainParts() throws {
    let links = folder + "/pg_tblspc"
    if try FileSystemCalls.status(links)?.kind == .directory {
      for name in try FileSystemCalls.names(in: links)
      where try FileSystemCalls.status(links + "/" + name)?.kind == .symbolicLink {
        guard let oid = UInt32(name), name.allSatisfy(\.isNumber) else { continue }
        tablespaceOIDs.insert(oid)
      }
    }
    let wal = folder + "/pg_wal"
    if try FileSystemCalls.status(wal, followingLinks: true)?.kind == .directory {
      for name in try FileSystemCalls.names(in: wal) {
        walSize += try Self.size(of: wal + "/" + name)
      }
    }
    sizeOnDisk = try Self.treeSize(folder)
  }

  /// The bytes of the regular files below `directory`, links not followed.
  private static func treeSize(_ directory: String) throws -> Int64 {
    var total: Int64 = 0
    for name in try FileSystemCalls.names(in: directory) {
      let path = directory + "/" + name
      guard let status = try FileSystemCalls.status(path) else { continue }
      switch status.kind {
      case .regularFile: total += status.size
      case .directory: total += try treeSize(path)
      default: break
      }
    }
    return total
  }

  // MARK: - Remote

  /// A remote backup's parts, from one listing of its folder through the run's store. A
  /// plain backup's tablespace links are not seen in a listing: a remote plain backup
  /// restores without tablespaces.
  /// The OIDs of the `"Path": "pg_tblspc/<oid>/…"` entries of a backup manifest.
  static func tablespaceOIDs(inManifest manifest: [UInt8]) -> Set<UInt32> {
    var oids = Set<UInt32>()
    let text = String(decoding: manifest, as: UTF8.self)
    for part in text.components(separatedBy: "\"pg_tblspc/").dropFirst() {
      if let oid = UInt32(part.prefix(while: \.isNumber)), part.dropFirst(String(oid).count).first == "/" {
        oids.insert(oid)
      }
    }
    return oids
  }

  private mutating func findRemoteParts() throws {
    do {
      remoteFiles = try RepositoryStores.current.store(for: folder).list(under: folder).files
    } catch {
      throw ExtractionError(.archive, "\(error)")
    }
    let prefix = folder + "/"
    switch format {
    case .plain:
      for file in remoteFiles where file.path.hasPrefix(prefix + "pg_wal/") { walSize += file.size }
      sizeOnDisk = remoteFiles.reduce(0) { $0 + $1.size }
      // A listing does not follow the pg_tblspc/<oid> links; the manifest names their files.
      if remoteFiles.contains(where: { $0.path == prefix + "backup_manifest" }),
        let manifest = try? RepositoryStores.current.read(prefix + "backup_manifest")
      {
        tablespaceOIDs = Self.tablespaceOIDs(inManifest: manifest)
      }
    case .tar:
      var bases: [String] = []
      for file in remoteFiles where file.path.hasPrefix(prefix) {
        let name = String(file.path.dropFirst(prefix.count))
        guard !name.contains("/"), let stem = Self.archiveStem(name) else { continue }
        if stem == "base" {
          bases.append(file.path)
        } else if stem == "pg_wal" {
          walArchive = file.path
          walSize = file.size
        } else if stem.allSatisfy(\.isASCII), stem.allSatisfy(\.isNumber), let oid = UInt32(stem) {
          tablespaceArchives[oid] = file.path
          tablespaceOIDs.insert(oid)
        } else {
          continue
        }
        sizeOnDisk += file.size
      }
      guard bases.count == 1 else {
        throw ExtractionError(
          .archive,
          bases.isEmpty ? "no base.tar or base.tar.gz in \(folder)" : "more than one base archive in \(folder)")
      }
      baseArchive = bases[0]
    }
  }
}
