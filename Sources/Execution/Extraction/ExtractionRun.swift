import Archives
import Catalog

/// One run of ``BackupExtractor/extract(progress:)``: the trees being filled, the manifest
/// check, the progress meter and the report, carried from file to file.
///
/// A class because it is the stateful service of one extraction; it lives only as long as
/// that call.
final class ExtractionRun {
  /// The size of the one buffer every file's bytes pass through: 1 MiB, the read-ahead
  /// thread's chunk (``OutputFile`` writes it 64 KiB at a time).
  static let bufferSize = ReadAheadStream.chunkSize

  /// What to extract and where.
  let extractor: BackupExtractor
  /// The backup's files.
  let layout: BackupLayout
  /// The data directory.
  let dataTree: DestinationTree
  /// The tablespaces' new locations, by OID.
  let tablespaceTrees: [UInt32: DestinationTree]
  /// What has been written.
  private(set) var report = ExtractionReport()
  private var manifest: ManifestCheck?
  private var meter: ProgressMeter
  private let progress: (ExtractionProgress) -> Void
  private let buffer: UnsafeMutableRawBufferPointer
  private var lastFile = ""

  /// Prepares a run; `progress` must stay valid while it lasts.
  init(
    extractor: BackupExtractor, layout: BackupLayout, manifest: BackupManifest?,
    dataTree: DestinationTree, tablespaceTrees: [UInt32: DestinationTree],
    progress: @escaping (ExtractionProgress) -> Void
  ) {
    self.extractor = extractor
    self.layout = layout
    let check = manifest.map(ManifestCheck.init)
    self.manifest = check
    self.dataTree = dataTree
    self.tablespaceTrees = tablespaceTrees
    self.progress = progress
    meter = ProgressMeter(
      totalBytes: check.map { $0.totalSize + layout.walSize } ?? layout.sizeOnDisk)
    buffer = .allocate(byteCount: Self.bufferSize, alignment: 16)
  }

  deinit { buffer.deallocate() }

  /// Extracts everything, checks nothing is missing, points the tablespaces at their new
  /// locations, and flushes every tree to disk (unless the extractor says not to).
  func run() throws -> ExtractionReport {
    switch layout.format {
    case .tar: try extractTarBackup()
    case .plain: try copyPlainBackup()
    }
    do {
      try manifest?.checkNothingMissing()
    } catch let error as ExtractionError {
      throw error.inSource(layout.sourceName)
    }
    try rewriteTablespaceMap()
    let trees = [dataTree] + tablespaceTrees.sorted { $0.key < $1.key }.map(\.value)
    for tree in trees { try tree.applyDirectoryModes() }
    if extractor.syncToDisk {
      let start = ContinuousClock.now
      for tree in trees { try tree.sync() }
      let flush = ContinuousClock.now - start
      report.flushSeconds = Double(flush.components.seconds) + Double(flush.components.attoseconds) * 1e-18
    }
    progress(meter.final(file: lastFile))
    return report
  }

  // MARK: - Files

  /// Writes one regular file, checking it against the manifest as its bytes pass.
  ///
  /// The manifest entry is claimed and the size compared before anything is written; the
  /// checksum is compared once the last byte is.
  ///
  /// - Parameters:
  ///   - entry: The file's path components below `placement`.
  ///   - placement: Where it goes.
  ///   - name: The entry's name as stored, for messages.
  ///   - size: How many bytes it should have.
  ///   - mode: Its permission bits.
  ///   - modificationTime: Its time, in seconds since 1970.
  ///   - read: Reads its next bytes into a buffer; 0 at its end.
  func writeFile(
    _ entry: [String], placement: Placement, name: String, size: Int64, mode: UInt32,
    modificationTime: Int64?, read: (UnsafeMutableRawBufferPointer) throws -> Int
  ) throws {
    let components = placement.components(entry)
    let manifestPath = placement.manifestPath(entry)
    try placement.tree.prepare(components, entry: name)
    let expected = try manifest?.claim(manifestPath)
    if let expected, UInt64(size) != expected.size {
      throw ExtractionError.sizeMismatch(manifestPath, expected: expected.size, found: size)
    }
    let file = try OutputFile(
      creating: placement.tree.path(components), writeBack: extractor.syncToDisk)
    var checksum = expected?.checksum.map { FileChecksum($0.algorithm) }
    lastFile = manifestPath
    let written = try pump(read) { bytes in
      checksum?.update(bytes)
      try file.write(bytes)
      if let due = meter.add(bytes.count, file: manifestPath) { progress(due) }
    }
    if let expected { try ManifestCheck.verify(expected, size: written, checksum: checksum) }
    try file.finish(
      mode: mode, owner: placement.tree.owner, modificationTime: modificationTime)
    count(manifestPath, bytes: written, verified: expected != nil)
  }

  /// Makes a hard link to a file written before, checking the link's manifest entry against
  /// the file's bytes (read back from disk).
  func linkFile(
    _ entry: [String], to target: [String], placement: Placement, name: String
  ) throws {
    let components = placement.components(entry)
    let existing = placement.tree.path(placement.components(target))
    let manifestPath = placement.manifestPath(entry)
    try placement.tree.prepare(components, entry: name)
    let expected = try manifest?.claim(manifestPath)
    if let expected {
      let source = try FileByteStream(path: existing)
      defer { source.close() }
      var checksum = expected.checksum.map { FileChecksum($0.algorithm) }
      let size = try pump({ try source.read(into: $0) }, into: { checksum?.update($0) })
      try ManifestCheck.verify(expected, size: size, checksum: checksum)
    }
    try FileSystemCalls.makeHardLink(placement.tree.path(components), to: existing)
    count(manifestPath, bytes: 0, verified: expected != nil)
  }

  /// Passes the bytes `read` puts into the run's buffer to `body`, one buffer at a time,
  /// until `read` returns 0.
  ///
  /// - Returns: How many bytes passed.
  private func pump(
    _ read: (UnsafeMutableRawBufferPointer) throws -> Int,
    into body: (UnsafeRawBufferPointer) throws -> Void
  ) throws -> Int64 {
    var total: Int64 = 0
    while true {
      let count = try read(buffer)
      if count == 0 { return total }
      try body(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
      total += Int64(count)
    }
  }

  /// Adds a file to the report.
  private func count(_ manifestPath: String, bytes: Int64, verified: Bool) {
    report.files += 1
    report.bytes += bytes
    if verified { report.verifiedFiles += 1 }
    let inWAL = manifestPath.dropFirst("pg_wal/".count)
    if manifestPath.hasPrefix("pg_wal/"), !inWAL.contains("/") {
      report.walSegments.append(String(inWAL))
    }
  }
}
