import Archives
import Foundation
import Storage

/// Extracting a tar-format backup: one archive at a time, one entry at a time.
extension ExtractionRun {
  /// Extracts `base.tar[.gz]` into the data directory, then `pg_wal.tar[.gz]` into its
  /// `pg_wal/`, then each `<oid>.tar[.gz]` into the tablespace's new location.
  ///
  /// From a remote store, the next archives' first ranges are fetched while one is extracted
  /// (``FetchAhead``).
  func extractTarBackup() throws {
    guard let base = layout.baseArchive else { return }
    let tablespaces = layout.tablespaceArchives.sorted(by: { $0.key < $1.key })
    let archives = [base] + (layout.walArchive.map { [$0] } ?? []) + tablespaces.map(\.value)
    let ahead = try remoteArchives(archives)
    var next = 0
    func open(_ path: String) throws -> any ByteStream {
      defer { next += 1 }
      guard let ahead else { return try RepositoryStores.current.openDecompressed(path) }
      return try Self.decompressing(try ahead.stream(next))
    }
    try extractArchive(base, open, into: Placement(tree: dataTree, prefix: [], manifestPrefix: ""))
    if let wal = layout.walArchive {
      try dataTree.makeDirectory(["pg_wal"], mode: nil, entry: "pg_wal")
      try extractArchive(
        wal, open, into: Placement(tree: dataTree, prefix: ["pg_wal"], manifestPrefix: "pg_wal/"))
    }
    for (oid, archive) in tablespaces {
      guard let tree = tablespaceTrees[oid] else { throw ExtractionError.unmappedTablespace(oid) }
      try extractArchive(
        archive, open, into: Placement(tree: tree, prefix: [], manifestPrefix: "pg_tblspc/\(oid)/"))
    }
  }

  /// The archives fetched ahead, when they are remote; nil for a local backup.
  private func remoteArchives(_ paths: [String]) throws -> FetchAhead? {
    guard RepositoryStores.isRemote(layout.folder) else { return nil }
    let sizes = Dictionary(layout.remoteFiles.map { ($0.path, $0.size) }, uniquingKeysWith: { a, _ in a })
    let store = try RepositoryStores.current.store(for: layout.folder)
    return FetchAhead(paths.map { FetchAhead.File(path: $0, size: sizes[$0] ?? 0) }, store: store)
  }

  /// A remote archive's bytes decompressed, the compression told by its first bytes (as
  /// `RepositoryStores.openDecompressed` does).
  private static func decompressing(_ raw: any ByteStream) throws -> any ByteStream {
    var raw = raw
    var head = [UInt8](repeating: 0, count: CompressionKind.magicLength)
    let count = try head.withUnsafeMutableBytes { try raw.readFully(into: $0) }
    head.removeSubrange(count...)
    let stream = PrefixedByteStream(prefix: head, rest: raw)
    return try CompressionKind.detect(head).decompressing(stream) ?? stream
  }

  // MARK: - Helpers

  /// Extracts every entry of the archive at `path` (plain or compressed tar) into
  /// `placement`, the archive read and decompressed ahead on a second thread.
  private func extractArchive(
    _ path: String, _ open: (String) throws -> any ByteStream, into placement: Placement
  ) throws {
    let name = (path as NSString).lastPathComponent
    do {
      var reader = TarReader(ReadAheadStream(try open(path)))
      while let entry = try reader.next() {
        try extractEntry(entry, from: &reader, into: placement)
      }
    } catch let error as ArchiveError {
      throw ExtractionError.archive(error)
    } catch let error as ExtractionError {
      throw error.inSource(name)
    }
  }

  /// Extracts one entry, refusing any that would land outside its destination.
  private func extractEntry<Source: ByteStream>(
    _ entry: TarEntry, from reader: inout TarReader<Source>, into placement: Placement
  ) throws {
    let path = entry.archivePath
    guard !path.escapes else { throw ExtractionError.escapes(entry.path, placement.name) }
    let components = path.components.map(String.init)
    switch entry.kind {
    case .directory:
      try placement.tree.makeDirectory(
        placement.components(components), mode: entry.mode & 0o777, entry: entry.path)
    case .regularFile where !components.isEmpty:
      try writeFile(
        components, placement: placement, name: entry.path, size: entry.size,
        mode: entry.mode & 0o777, modificationTime: entry.modificationTime
      ) { try reader.readData(into: $0) }
    case .regularFile:
      throw ExtractionError.unsupportedEntry(entry.path, "a file without a name")
    case .symbolicLink:
      try extractSymbolicLink(entry, components, into: placement)
    case .hardLink:
      let target = ArchivePath(entry.linkTarget ?? "")
      guard !target.escapes else {
        throw ExtractionError.linkEscapes(
          "hard link", entry.path, target: target.stored, placement.name)
      }
      let targetComponents = target.components.map(String.init)
      guard !targetComponents.isEmpty,
        try placement.tree.isRegularFile(placement.components(targetComponents))
      else { throw ExtractionError.hardLinkTargetMissing(entry.path, target: target.stored) }
      try linkFile(components, to: targetComponents, placement: placement, name: entry.path)
    case .other(let typeFlag):
      throw ExtractionError.unsupportedEntry(entry.path, Self.describe(typeFlag: typeFlag))
    }
  }

  /// Retargets a `pg_tblspc/<oid>` link to the tablespace's new location; refuses any other.
  private func extractSymbolicLink(
    _ entry: TarEntry, _ components: [String], into placement: Placement
  ) throws {
    let target = entry.linkTarget ?? ""
    if let oid = placement.tablespaceLink(components) {
      guard let tree = tablespaceTrees[oid] else { throw ExtractionError.unmappedTablespace(oid) }
      try placement.tree.makeSymbolicLink(components, to: tree.root, entry: entry.path)
    } else if Placement.pointsOutside(components, target) {
      throw ExtractionError.linkEscapes("symbolic link", entry.path, target: target, placement.name)
    } else {
      throw ExtractionError.symbolicLinkNotAllowed(entry.path, target: target)
    }
  }

  /// A phrase for an entry type extraction refuses: "a FIFO", "of type 'S'".
  private static func describe(typeFlag: UInt8) -> String {
    switch typeFlag {
    case UInt8(ascii: "3"): "a character device"
    case UInt8(ascii: "4"): "a block device"
    case UInt8(ascii: "6"): "a FIFO"
    default: "of type '\(Character(Unicode.Scalar(typeFlag)))'"
    }
  }
}
