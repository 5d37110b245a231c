import Archives
import Foundation
import PlanModel
import PostgresVocabulary
import Storage

/// Reads one base backup folder without extracting it: the few small files that describe
/// it (`backup_label`, `PG_VERSION`, `global/pg_control`, `tablespace_map`, the server's
/// configuration) are read from inside `base.tar[.gz]` as the archive streams past, and the
/// manifest's own checksum is verified.
///
/// `global/pg_control` is the last member pg_basebackup writes, so a compressed base archive
/// is read to its end once; the catalog cache keeps the result. A remote uncompressed tar is
/// walked with ranged reads instead (headers and small files only, ``openArchive(_:)``).
struct BaseBackupReader {
  /// The files read from inside the base archive (or the data directory), by normalized path.
  static let wantedFiles: Set<String> = [
    "backup_label", "tablespace_map", "PG_VERSION", "global/pg_control", "postgresql.conf",
    "postgresql.auto.conf", "pg_hba.conf",
  ]

  /// The small files whose texts the backup keeps (`BaseBackup.configurationFiles`).
  static let keptConfigurationFiles = ["postgresql.auto.conf", "pg_hba.conf"]

  /// Small files are at most this large; a bigger one is not what it claims to be.
  static let smallFileLimit = 1 << 20

  let folder: String
  let identifier: String
  let files: [ScannedFile]
  private(set) var diagnostics: [Diagnostic] = []

  init(folder: String, identifier: String, files: [ScannedFile]) {
    self.folder = folder
    self.identifier = identifier
    self.files = files
  }

  /// The backup, or `nil` (with diagnostics) when it cannot be restored at all.
  mutating func read() -> BaseBackup? {
    let topLevel = files.filter { $0.directory == folder }
    let baseArchive = topLevel.first { $0.name.hasPrefix("base.tar") }
    var contents = BackupContents()
    let format: BaseBackup.Format
    var compression = "none"
    if let baseArchive {
      format = .tar
      guard let kind = readTar(baseArchive, into: &contents) else { return nil }
      compression = kind == .none ? "none" : kind.rawValue
      for file in topLevel where file.name.hasPrefix("pg_wal.tar") {
        listWALArchive(file, into: &contents)
      }
      for file in topLevel where Self.isTablespaceArchive(file.name) {
        addTablespaceArchive(file, into: &contents)
      }
    } else {
      format = .plain
      readPlain(into: &contents)
    }
    guard let labelText = contents.small["backup_label"] else {
      report(
        "no backup_label in this backup; without it recovery cannot know where to start",
        file: baseArchive?.path ?? folder)
      return nil
    }
    let label: BackupLabel
    do {
      label = try BackupLabel(parsing: String(decoding: labelText, as: UTF8.self))
    } catch {
      report(error.description, file: "\(baseArchive?.path ?? folder)/backup_label")
      return nil
    }
    let manifest = readManifest(topLevel.first { $0.name == "backup_manifest" })
    var backup = BaseBackup(
      id: identifier, path: folder, format: format, compression: compression,
      files: topLevel.map(Self.describe), sizeOnDisk: files.reduce(0) { $0 + $1.size },
      expandedSize: nil, pgVersion: nil,
      label: BaseBackup.Label(
        startLSN: label.startLSN, checkpointLSN: label.checkpointLSN,
        startTimeline: label.startTimeline, startTime: label.startTime?.text,
        startTimeAsWritten: label.startTime?.text,
        source: label.source.rawValue, label: label.label, method: label.method),
      stop: nil, control: nil, manifest: manifest, tablespaces: [], timezone: nil,
      includedSegments: contents.segments.sorted())
    if let base = label.incrementalFrom {
      backup.incremental = BaseBackup.Incremental(
        fromLSN: base.lsn, fromTimeline: base.timeline, incrementalFiles: contents.incrementalFiles)
    }
    // What extraction writes: every regular file of the archives (or the copied folder).
    // Not the manifest's total: it leaves out the WAL the backup carries.
    backup.expandedSize = contents.expandedSize
    if case .verified(let summary) = manifest {
      if let range = summary.walRanges.first(where: { $0.end != .invalid }) {
        // WAL-Ranges lists the newest timeline first; its end is the backup's end.
        backup.stop = BaseBackup.Stop(
          lsn: range.end, timeline: range.timeline, time: nil, source: .manifest)
      }
    }
    readDescriptions(contents, into: &backup, archive: baseArchive?.path ?? folder)
    if let written = label.startTime {
      let time = written.resolved(logTimezone: backup.logTimezone)
      backup.label.startTime = time.text
      backup.label.startTimeZoneUnknown = time.instant == nil ? true : nil
    }
    return backup
  }

  // MARK: - Tar backups

  /// What was gathered from the archive or directory.
  private struct BackupContents {
    var small: [String: [UInt8]] = [:]
    var segments: Set<WALSegmentName> = []
    var expandedSize: Int64 = 0
    /// `INCREMENTAL.<relfile>` files (17+ incremental backups).
    var incrementalFiles = 0
  }

  /// Whether a path inside the backup is one of an incremental backup's `INCREMENTAL.`
  /// files: in `base/…`, `global` or `pg_tblspc/…`, where pg_combinebackup looks for them.
  static func isIncrementalFile(_ path: some StringProtocol) -> Bool {
    guard let slash = path.lastIndex(of: "/") else { return false }
    let directory = path[..<slash]
    let name = path[path.index(after: slash)...]
    return name.hasPrefix("INCREMENTAL.")
      && (directory.hasPrefix("base/") || directory == "global" || directory.hasPrefix("pg_tblspc/"))
  }

  /// Streams `base.tar[.gz]`, keeping the small files and WAL names; nil when unreadable.
  private mutating func readTar(_ file: ScannedFile, into contents: inout BackupContents)
    -> CompressionKind?
  {
    do {
      let stream = try Self.openArchive(file)
      let compression = stream.compression
      var reader = TarReader(stream)
      while let entry = try reader.next() {
        if entry.kind == .regularFile { contents.expandedSize += entry.size }
        let path = entry.archivePath.normalized
        if Self.wantedFiles.contains(path), entry.kind == .regularFile {
          contents.small[path] = try reader.readAll(limit: Self.smallFileLimit)
        } else if path.hasPrefix("pg_wal/"), let name = WALSegmentName(path.dropFirst(7)) {
          contents.segments.insert(name)
        } else if Self.isIncrementalFile(path) {
          contents.incrementalFiles += 1
        }
      }
      return compression
    } catch {
      report(String(describing: error), file: file.path)
      return nil
    }
  }

  /// Lists the segments in `pg_wal.tar[.gz]` (they sit at its top level).
  private mutating func listWALArchive(_ file: ScannedFile, into contents: inout BackupContents) {
    do {
      var reader = TarReader(try Self.openArchive(file))
      while let entry = try reader.next() {
        if entry.kind == .regularFile { contents.expandedSize += entry.size }
        let name = entry.archivePath.normalized
        if let segment = WALSegmentName(name.hasPrefix("pg_wal/") ? String(name.dropFirst(7)) : name) {
          contents.segments.insert(segment)
        }
      }
    } catch {
      report(String(describing: error), file: file.path)
    }
  }

  /// A tar of the backup, decompressed. A remote uncompressed one (named `….tar` and
  /// starting like a tar) is read with ranged reads (``RangedReadStream``) so that walking its
  /// headers skips the data of the large files instead of downloading them; the bytes the
  /// reader sees are the same. Local files and compressed ones stream as before.
  static func openArchive(_ file: ScannedFile) throws -> RepositoryStream {
    guard RepositoryStores.isRemote(file.path), file.name.hasSuffix(".tar") else {
      return try RepositoryStores.current.openDecompressed(file.path)
    }
    var ranged = try RangedReadStream(path: file.path, size: file.size, stores: .current)
    var head = [UInt8](repeating: 0, count: CompressionKind.magicLength)
    let count = try head.withUnsafeMutableBytes { try ranged.readFully(into: $0) }
    head.removeSubrange(count...)
    guard CompressionKind.detect(head) == .none else {
      return try RepositoryStores.current.openDecompressed(file.path)
    }
    return RepositoryStream(PrefixedByteStream(prefix: head, rest: ranged), compression: .none)
  }

  /// `<oid>.tar`, `<oid>.tar.gz`, …: a tablespace's archive.
  static func isTablespaceArchive(_ name: String) -> Bool {
    guard let dot = name.firstIndex(of: ".") else { return false }
    let suffix = name[dot...]
    guard suffix == ".tar" || suffix.hasPrefix(".tar.") else { return false }
    let oid = name[..<dot]
    return !oid.isEmpty && oid.allSatisfy { $0.isASCII && $0.isNumber } && UInt32(oid) != nil
  }

  /// Adds the files of a tablespace's archive to the expanded size (extraction writes them
  /// into the tablespace's new location).
  private mutating func addTablespaceArchive(_ file: ScannedFile, into contents: inout BackupContents) {
    do {
      var reader = TarReader(try Self.openArchive(file))
      while let entry = try reader.next() {
        if entry.kind == .regularFile { contents.expandedSize += entry.size }
      }
    } catch {
      report(String(describing: error), file: file.path)
    }
  }

  // MARK: - Plain backups

  private mutating func readPlain(into contents: inout BackupContents) {
    for name in Self.wantedFiles {
      let path = "\(folder)/\(name)"
      guard let file = files.first(where: { $0.path == path }) else { continue }
      guard file.size <= Self.smallFileLimit, let data = Self.contents(of: path)
      else {
        report("cannot read this file (or it is larger than 1 MiB)", file: path)
        continue
      }
      contents.small[name] = Array(data)
    }
    for file in files where file.directory == "\(folder)/pg_wal" {
      if let segment = WALSegmentName(file.name) { contents.segments.insert(segment) }
    }
    for file in files where file.path.hasPrefix(folder + "/") {
      if Self.isIncrementalFile(file.path.dropFirst(folder.count + 1)) { contents.incrementalFiles += 1 }
    }
    // Everything is copied but the manifest, with the folders the pg_tblspc links point to
    // (the walker does not follow links to folders).
    contents.expandedSize =
      files.filter { $0.path != "\(folder)/backup_manifest" }.reduce(0) { $0 + $1.size }
      + Self.linkedTablespaceBytes(folder)
  }

  /// The bytes of the regular files in the folders a plain backup's `pg_tblspc/<oid>` links
  /// point to.
  static func linkedTablespaceBytes(_ folder: String) -> Int64 {
    let files = FileManager.default
    let links = "\(folder)/pg_tblspc"
    var total: Int64 = 0
    for name in (try? files.contentsOfDirectory(atPath: links)) ?? [] where UInt32(name) != nil {
      guard let target = try? files.destinationOfSymbolicLink(atPath: "\(links)/\(name)") else { continue }
      let root = target.hasPrefix("/") ? target : "\(links)/\(target)"
      total += DirectoryWalker.files(under: root).files.reduce(0) { $0 + $1.size }
    }
    return total
  }

  // MARK: - Small files

  /// A whole small file: from this machine, or one read through the run's store.
  static func contents(of path: String) -> [UInt8]? {
    guard RepositoryStores.isRemote(path) else {
      return FileManager.default.contents(atPath: path).map { Array($0) }
    }
    return try? RepositoryStores.current.read(path)
  }

  private mutating func readManifest(_ file: ScannedFile?) -> BaseBackup.ManifestState {
    guard let file else { return .missing }
    guard let data = Self.contents(of: file.path) else {
      report("cannot read the manifest", file: file.path)
      return .invalid("unreadable")
    }
    do {
      let manifest = try BackupManifest(parsing: Array(data))
      return .verified(
        BaseBackup.Manifest(
          version: manifest.version, systemIdentifier: manifest.systemIdentifier,
          fileCount: manifest.files.count,
          totalSize: manifest.files.reduce(0) { $0 + Int64(clamping: $1.size) },
          walRanges: manifest.walRanges.map {
            BaseBackup.WALRange(timeline: $0.timeline, start: $0.start, end: $0.end)
          }))
    } catch {
      report(error.description, file: file.path)
      return .invalid(error.description)
    }
  }

  /// Fills in what PG_VERSION, pg_control, tablespace_map and the configuration say.
  private mutating func readDescriptions(
    _ contents: BackupContents, into backup: inout BaseBackup, archive: String
  ) {
    if let text = contents.small["PG_VERSION"] {
      do {
        backup.pgVersion = try PostgreSQLMajorVersion(
          pgVersionFile: String(decoding: text, as: UTF8.self)
        ).rawValue
      } catch {
        report(error.description, file: "\(archive)/PG_VERSION")
      }
    }
    if let bytes = contents.small["global/pg_control"] {
      do {
        let control = try ControlFile(parsing: bytes)
        backup.control = BaseBackup.Control(
          systemIdentifier: control.systemIdentifier,
          majorVersion: control.majorVersion.rawValue,
          checkpointLSN: control.checkpointLSN,
          checkpointTimeline: control.checkpoint.timeline,
          minRecoveryPoint: control.minRecoveryPoint, backupEndPoint: control.backupEndPoint,
          segmentSize: control.walSegmentSize, walLevel: control.walLevel.description,
          maxConnections: Int(control.maxConnections),
          maxWorkerProcesses: Int(control.maxWorkerProcesses),
          maxWALSenders: Int(control.maxWALSenders),
          maxPreparedTransactions: Int(control.maxPreparedTransactions),
          maxLocksPerTransaction: Int(control.maxLocksPerTransaction),
          dataChecksums: control.dataChecksumVersion != 0)
      } catch {
        report(error.description, file: "\(archive)/global/pg_control")
      }
    } else {
      report(
        "global/pg_control is missing from this backup; it cannot be restored",
        file: archive, severity: .warning)
    }
    if let text = contents.small["tablespace_map"] {
      do {
        backup.tablespaces = try TablespaceMap(parsing: String(decoding: text, as: UTF8.self))
          .entries.map { BaseBackup.Tablespace(oid: $0.oid, location: $0.path) }
      } catch {
        report(error.description, file: "\(archive)/tablespace_map")
      }
    }
    var settings: [String: String] = [:]
    for name in ["postgresql.conf", "postgresql.auto.conf"] {
      if let text = contents.small[name] {
        settings.merge(ServerConfigurationFile.settings(in: String(decoding: text, as: UTF8.self))) {
          $1
        }
      }
    }
    for name in Self.keptConfigurationFiles {
      if let bytes = contents.small[name] { backup.configurationFiles[name] = String(decoding: bytes, as: UTF8.self) }
    }
    backup.timezone = settings["timezone"]
    backup.logTimezone = settings["log_timezone"]
    backup.socketDirectories = settings["unix_socket_directories"]
  }

  private static func describe(_ file: ScannedFile) -> BaseBackup.BackupFile {
    let name = String(file.name)
    let role: BaseBackup.BackupFile.Role
    if name.hasPrefix("base.tar") {
      role = .base
    } else if name.hasPrefix("pg_wal.tar") {
      role = .wal
    } else if name == "backup_manifest" {
      role = .manifest
    } else if let oid = name.split(separator: ".").first, UInt32(oid) != nil, name.contains(".tar") {
      role = .tablespace
    } else {
      role = .other
    }
    return BaseBackup.BackupFile(name: name, role: role, size: file.size, version: file.version)
  }

  private mutating func report(
    _ message: String, file: String, severity: Diagnostic.Severity = .error
  ) {
    diagnostics.append(Diagnostic(severity, message, at: .file(file)))
  }
}
