import Archives
import Foundation
import Storage

/// Extracting a remote plain backup streamed as one tar of its folder (an SSH host's
/// `tar -cf - -C FOLDER .`): the same manifest checks as a copied file, files in mode 0600 and
/// folders in mode 0700 as the file-by-file copy makes them.
extension ExtractionRun {
  /// A `pg_tblspc/<oid>` or `pg_wal` link found in the stream, followed after it ends.
  struct RemoteLink {
    var entry: [String]
    var target: String
  }

  /// Extracts every entry of `stream` into `placement` (the data directory's root: not its
  /// `backup_manifest`), then reads the stream to its end so a failure on the host is told.
  ///
  /// - Returns: The links to folders to copy from the host after it (tablespaces, `pg_wal`).
  func extractFolderArchive(_ stream: any ByteStream, into placement: Placement) throws -> [RemoteLink] {
    var reader = TarReader(RepositoryStream(stream, compression: .none))
    var links: [RemoteLink] = []
    while let entry = try reader.next() {
      let path = entry.archivePath
      guard !path.escapes else { throw ExtractionError.escapes(entry.path, placement.name) }
      let components = path.components.map(String.init)
      if components.isEmpty { continue }
      if placement.isDataDirectoryRoot, components == ["backup_manifest"] { continue }
      let shown = placement.manifestPath(components)
      switch entry.kind {
      case .directory:
        try placement.tree.makeDirectory(placement.components(components), mode: 0o700, entry: shown)
      case .regularFile:
        try writeFile(
          components, placement: placement, name: shown, size: entry.size, mode: 0o600,
          modificationTime: entry.modificationTime
        ) { try reader.readData(into: $0) }
      case .symbolicLink:
        let target = entry.linkTarget ?? ""
        guard placement.isDataDirectoryRoot,
          placement.tablespaceLink(components) != nil || components == ["pg_wal"]
        else {
          throw Placement.pointsOutside(components, target)
            ? ExtractionError.linkEscapes("symbolic link", shown, target: target, placement.name)
            : ExtractionError.symbolicLinkNotAllowed(shown, target: target)
        }
        links.append(RemoteLink(entry: components, target: target))
      case .hardLink:
        let target = ArchivePath(entry.linkTarget ?? "")
        let targetComponents = target.components.map(String.init)
        guard !target.escapes, !targetComponents.isEmpty,
          try placement.tree.isRegularFile(placement.components(targetComponents))
        else { throw ExtractionError.hardLinkTargetMissing(shown, target: target.stored) }
        try linkFile(components, to: targetComponents, placement: placement, name: shown)
      case .other:
        throw ExtractionError.unsupportedEntry(shown, "not a file, folder or link")
      }
    }
    var rest = reader.source
    var scratch = [UInt8](repeating: 0, count: 64 * 1024)
    while try scratch.withUnsafeMutableBytes({ try rest.read(into: $0) }) > 0 {}
    return links
  }

  /// Copies the folder each link points to on the host, streamed as a tar too: a tablespace's
  /// into its new location (and links `pg_tblspc/<oid>` there), a `pg_wal` link's (as
  /// `pg_basebackup --waldir` leaves) into a real `pg_wal`.
  func extractLinkedFolders(_ links: [RemoteLink], store: any RepositoryStore) throws {
    let root = Placement(tree: dataTree, prefix: [], manifestPrefix: "")
    for link in links {
      let url = Self.remoteURL(
        of: link.target, linkIn: layout.folder + "/" + link.entry.dropLast().joined(separator: "/"))
      guard let stream = try store.openFolderArchive(url) else { continue }
      let shown = root.manifestPath(link.entry)
      if let oid = root.tablespaceLink(link.entry) {
        guard let tree = tablespaceTrees[oid] else { throw ExtractionError.unmappedTablespace(oid) }
        _ = try extractFolderArchive(
          stream, into: Placement(tree: tree, prefix: [], manifestPrefix: "pg_tblspc/\(oid)/"))
        try dataTree.makeSymbolicLink(link.entry, to: tree.root, entry: shown)
      } else {
        try dataTree.makeDirectory(link.entry, mode: 0o700, entry: shown)
        _ = try extractFolderArchive(
          stream, into: Placement(tree: dataTree, prefix: link.entry, manifestPrefix: shown + "/"))
      }
    }
  }

  /// The URL of a link's target on the same host: `scheme://authority` + the target when it
  /// is absolute, else the target below the link's folder.
  static func remoteURL(of target: String, linkIn folder: String) -> String {
    guard target.hasPrefix("/") else { return folder + "/" + target }
    guard let schemeEnd = folder.range(of: "://"),
      let pathStart = folder[schemeEnd.upperBound...].firstIndex(of: "/")
    else { return folder + target }
    return String(folder[..<pathStart]) + target
  }
}
