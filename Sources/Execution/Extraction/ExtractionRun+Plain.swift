import Archives
import Foundation
import Storage

/// Copying a plain-format backup: file by file, each checked against the manifest as a tar
/// entry is.
extension ExtractionRun {
  /// Copies the backup folder into the data directory (all but `backup_manifest`), each
  /// tablespace's linked directory into its new location, and links `pg_tblspc/<oid>` there.
  func copyPlainBackup() throws {
    if RepositoryStores.isRemote(layout.folder) {
      return try copyRemotePlainBackup()
    }
    do {
      try copyDirectory(
        layout.folder, [], into: Placement(tree: dataTree, prefix: [], manifestPrefix: ""))
    } catch let error as ArchiveError {
      throw ExtractionError.archive(error)
    } catch let error as ExtractionError {
      throw error.inSource(layout.sourceName)
    }
  }

  /// The folders initdb makes that may be empty, so a listing of files does not show them.
  static let dataDirectoryFolders = [
    "global", "base", "pg_wal", "pg_wal/archive_status", "pg_commit_ts", "pg_dynshmem",
    "pg_notify", "pg_serial", "pg_snapshots", "pg_subtrans", "pg_twophase", "pg_multixact",
    "pg_multixact/members", "pg_multixact/offsets", "pg_replslot", "pg_tblspc", "pg_stat",
    "pg_stat_tmp", "pg_xact", "pg_logical", "pg_logical/snapshots", "pg_logical/mappings",
  ]

  /// Copies a plain backup from a remote store, in mode 0600 in folders of mode 0700, with
  /// initdb's folders made too: as one tar stream of the folder when the store makes one
  /// (SSH: `tar -cf -` on the host), else each listed file streamed from `store.open`.
  private func copyRemotePlainBackup() throws {
    let placement = Placement(tree: dataTree, prefix: [], manifestPrefix: "")
    do {
      for folder in Self.dataDirectoryFolders {
        let entry = folder.split(separator: "/").map(String.init)
        try placement.tree.makeDirectory(placement.components(entry), mode: 0o700, entry: folder)
      }
      let store = try RepositoryStores.current.store(for: layout.folder)
      if let stream = try store.openFolderArchive(layout.folder) {
        let links = try extractFolderArchive(stream, into: placement)
        try extractLinkedFolders(links, store: store)
      } else {
        try copyRemoteFiles(store, into: placement)
      }
    } catch let error as ArchiveError {
      throw ExtractionError.archive(error)
    } catch let error as ExtractionError {
      throw error.inSource(layout.sourceName)
    } catch {
      throw ExtractionError(.archive, "\(error)").inSource(layout.sourceName)
    }
  }

  /// Copies each listed file of the remote backup, one stream per file, in order, the next
  /// files' first ranges fetched ahead (``FetchAhead``).
  private func copyRemoteFiles(_ store: any RepositoryStore, into placement: Placement) throws {
    let prefix = layout.folder + "/"
    let files = layout.remoteFiles.filter { file in
      guard file.path.hasPrefix(prefix) else { return false }
      let entry = file.path.dropFirst(prefix.count).split(separator: "/")
      return entry != ["backup_manifest"] && !entry.contains("..")
    }
    let ahead = FetchAhead(files.map { FetchAhead.File(path: $0.path, size: $0.size) }, store: store)
    do {
      for (index, file) in files.enumerated() {
        let relative = String(file.path.dropFirst(prefix.count))
        let entry = relative.split(separator: "/").map(String.init)
        for depth in 1..<max(entry.count, 1) {
          let parent = Array(entry.prefix(depth))
          try placement.tree.makeDirectory(
            placement.components(parent), mode: 0o700, entry: parent.joined(separator: "/"))
        }
        var stream = try ahead.stream(index)
        try writeFile(
          entry, placement: placement, name: relative, size: file.size, mode: 0o600,
          modificationTime: file.modified / 1_000_000_000
        ) { try stream.read(into: $0) }
      }
    }
  }

  // MARK: - Helpers

  /// Copies the contents of `source` to `relative` below `placement`.
  private func copyDirectory(
    _ source: String, _ relative: [String], into placement: Placement
  ) throws {
    for name in try FileSystemCalls.names(in: source) {
      let entry = relative + [name]
      if placement.isDataDirectoryRoot, entry == ["backup_manifest"] { continue }
      let path = source + "/" + name
      guard let status = try FileSystemCalls.status(path) else { continue }
      let shown = placement.manifestPath(entry)
      switch status.kind {
      case .directory:
        try placement.tree.makeDirectory(
          placement.components(entry), mode: status.mode, entry: shown)
        try copyDirectory(path, entry, into: placement)
      case .regularFile:
        let stream = try FileByteStream(path: path)
        defer { stream.close() }
        try writeFile(
          entry, placement: placement, name: shown, size: status.size, mode: status.mode,
          modificationTime: status.modificationTime
        ) { try stream.read(into: $0) }
      case .symbolicLink:
        try copyLinkedDirectory(path, entry, into: placement)
      case .other(let what):
        throw ExtractionError.unsupportedEntry(shown, what)
      }
    }
  }

  /// Copies the directory a `pg_tblspc/<oid>` link points to into the tablespace's new
  /// location and links to that; copies the directory a `pg_wal` link points to (as
  /// `pg_basebackup --waldir` leaves) into a real `pg_wal`. Refuses any other link.
  private func copyLinkedDirectory(
    _ path: String, _ entry: [String], into placement: Placement
  ) throws {
    let shown = placement.manifestPath(entry)
    let target = try FileSystemCalls.linkTarget(path)
    let oid = placement.tablespaceLink(entry)
    guard oid != nil || (placement.isDataDirectoryRoot && entry == ["pg_wal"]) else {
      throw Placement.pointsOutside(entry, target)
        ? ExtractionError.linkEscapes("symbolic link", shown, target: target, placement.name)
        : ExtractionError.symbolicLinkNotAllowed(shown, target: target)
    }
    let resolved =
      target.hasPrefix("/") ? target : (path as NSString).deletingLastPathComponent + "/" + target
    guard let status = try FileSystemCalls.status(resolved, followingLinks: true),
      status.kind == .directory
    else {
      throw ExtractionError(
        .unsafeEntry, "symbolic link '\(shown)' -> '\(target)' does not lead to a directory")
    }
    if let oid {
      guard let tree = tablespaceTrees[oid] else { throw ExtractionError.unmappedTablespace(oid) }
      try copyDirectory(
        resolved, [], into: Placement(tree: tree, prefix: [], manifestPrefix: "pg_tblspc/\(oid)/"))
      try placement.tree.makeSymbolicLink(entry, to: tree.root, entry: shown)
    } else {
      try placement.tree.makeDirectory(entry, mode: status.mode, entry: shown)
      try copyDirectory(resolved, entry, into: placement)
    }
  }
}
