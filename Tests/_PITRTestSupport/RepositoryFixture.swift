import Archives
import Catalog
import Crypto
import Foundation
import PostgresVocabulary
import WAL

/// A synthetic backup repository in a temporary folder, written file by file so each test
/// says exactly what is in it: 1 MiB WAL segments (a long page header and an XLOG_SWITCH
/// record, then zeros), history
/// files, and base backups in tar (optionally gzip'd) or plain form.
public struct RepositoryFixture {
  public static let segmentSize = WALSegmentSize(rawValue: 1 << 20)!
  public static let systemIdentifier: UInt64 = 7_711_019_213_718_305_796
  /// PostgreSQL 15's page magic.
  public static let magic: UInt16 = 0xD110

  public let directory: TemporaryDirectory
  public var base: String { directory.file("base") }
  public var wal: String { directory.file("wal") }

  public init() throws {
    directory = try TemporaryDirectory("catalog")
    try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
    try FileManager.default.createDirectory(atPath: wal, withIntermediateDirectories: true)
  }

  public func remove() { directory.remove() }

  /// Scans the fixture without a cache.
  public func scan(cache: CatalogCache = .disabled) -> Catalog {
    Catalog.scan(base: base, wal: [wal], cache: cache)
  }

  // MARK: - WAL

  /// The bytes of segment `name`: its long page header (overridable), then zeros.
  public static func segmentBytes(
    _ name: String, pageAddress: LSN? = nil, systemIdentifier: UInt64 = systemIdentifier,
    magic: UInt16 = magic, headerTimeline: UInt32? = nil, size: Int = 1 << 20
  ) -> [UInt8] {
    let segment = WALSegmentName(name)!
    var bytes = [UInt8](repeating: 0, count: size)
    func put<T: FixedWidthInteger>(_ value: T, at offset: Int) {
      withUnsafeBytes(of: value.littleEndian) { raw in
        bytes.replaceSubrange(offset..<offset + raw.count, with: raw)
      }
    }
    put(magic, at: 0)
    put(UInt16(0x0006), at: 2)  // long header, backup removable
    put(headerTimeline ?? segment.timeline.rawValue, at: 4)
    put((pageAddress ?? segment.lsnRange(size: segmentSize)!.lowerBound).rawValue, at: 8)
    put(systemIdentifier, at: 24)
    put(UInt32(segmentSize.rawValue), at: 32)
    put(UInt32(8192), at: 36)
    // One XLOG_SWITCH record after the header, pointing back at the previous segment's, so
    // consecutive segments form a valid chain of records (the rest of a segment after a
    // switch is unused).
    let start = pageAddress ?? segment.lsnRange(size: segmentSize)!.lowerBound
    if size >= 64 {
      let previous = start.rawValue >= UInt64(segmentSize.bytes) ? start.rawValue - UInt64(segmentSize.bytes) + 40 : 0
      put(UInt32(24), at: 40)  // xl_tot_len
      put(previous, at: 48)  // xl_prev
      bytes[56] = 0x40  // xl_info: XLOG_SWITCH
      bytes[57] = 0  // xl_rmid: XLOG
      var crc = CRC32C()
      crc.update(bytes[40..<60])
      put(crc.value, at: 60)
    }
    return bytes
  }

  /// Writes segment `name` into the archive (in `folder`, gzip'd when asked, under `fileName`
  /// when it differs from the name).
  @discardableResult
  public func writeSegment(
    _ name: String, folder: String = "", gzip compressed: Bool = false, fileName: String? = nil,
    bytes: [UInt8]? = nil
  ) throws -> String {
    try writeSegment(
      name, folder: folder, compression: compressed ? .gzip : .none, fileName: fileName,
      bytes: bytes)
  }

  /// Writes segment `name` into the archive compressed as `compression` says, named with its
  /// suffix (`.gz`, `.zst`, `.lz4`) unless `fileName` is given.
  @discardableResult
  public func writeSegment(
    _ name: String, folder: String = "", compression: CompressionKind, fileName: String? = nil,
    bytes: [UInt8]? = nil
  ) throws -> String {
    let content = bytes ?? Self.segmentBytes(name)
    let file = fileName ?? (name + (compression == .none ? "" : "." + compression.fileSuffix))
    return try write(compressBytes(content, as: compression), to: "\(wal)/\(folder)/\(file)")
  }

  /// Writes consecutive segments `first...last` (hex segment numbers) on `timeline`.
  public func writeSegments(timeline: UInt32, _ numbers: ClosedRange<UInt64>, gzip: Bool = true) throws {
    for number in numbers {
      let name = WALSegmentName(
        timeline: TimelineID(timeline), segmentNumber: number, size: Self.segmentSize)
      try writeSegment(name.description, gzip: gzip)
    }
  }

  /// Writes `<timeline>.history` with `entries` (parent timeline, switch LSN, reason).
  public func writeHistory(timeline: UInt32, _ entries: [(UInt32, String, String)]) throws {
    let text = entries.map { "\($0.0)\t\($0.1)\t\($0.2)\n" }.joined()
    try write(Array(text.utf8), to: "\(wal)/\(TimelineID(timeline).fileNamePart).history")
  }

  /// Writes the `.backup` file PostgreSQL archives when a backup stops.
  public func writeBackupHistory(
    start: String, stop: String, timeline: UInt32 = 1, label: String = "bb",
    startTime: String = "2025-07-01 02:00:00 UTC", stopTime: String = "2025-07-01 02:03:00 UTC"
  ) throws {
    let startLSN = LSN(start)!
    let segment = WALSegmentName(timeline: TimelineID(timeline), containing: startLSN, size: Self.segmentSize)
    let offset = String(format: "%08X", Self.segmentSize.offset(of: startLSN))
    let text = """
      START WAL LOCATION: \(start) (file \(segment))
      STOP WAL LOCATION: \(stop) (file \(WALSegmentName(timeline: TimelineID(timeline), endingAt: LSN(stop)!, size: Self.segmentSize)))
      CHECKPOINT LOCATION: \(start)
      BACKUP METHOD: streamed
      BACKUP FROM: primary
      START TIME: \(startTime)
      LABEL: \(label)
      START TIMELINE: \(timeline)
      STOP TIME: \(stopTime)
      STOP TIMELINE: \(timeline)

      """
    try write(Array(text.utf8), to: "\(wal)/\(segment).\(offset).backup")
  }

  // MARK: - Base backups

  /// What a synthetic base backup holds.
  public struct Backup {
    public var id: String
    public var start: String
    public var checkpoint: String
    public var timeline: UInt32
    public var label: String
    public var format: Format
    public var timezone: String?
    /// A `timezone` line in postgresql.auto.conf, which wins over postgresql.conf.
    public var autoTimezone: String?
    /// A `log_timezone` line in postgresql.conf: the zone `START TIME` is written in.
    public var logTimezone: String?
    /// `START TIME` in backup_label.
    public var startTime: String
    public var includedSegments: [String]
    public var manifest: Bool
    public var control: ControlFileFixture
    public var systemIdentifier: UInt64
    /// `tablespace_map` lines: OID and original location.
    public var tablespaces: [(oid: UInt32, location: String)] = []
    /// Makes it an incremental backup (17+): the `INCREMENTAL FROM LSN` and `TLI` lines,
    /// and an `INCREMENTAL.<relfile>` file in place of a relation file.
    public var incrementalFrom: (lsn: String, timeline: UInt32)?
    /// More files of the data directory (catalog files, say), written before pg_control; one
    /// named like a standard member (`PG_VERSION`) replaces it.
    public var extraFiles: [(path: String, bytes: [UInt8])] = []

    public enum Format: Sendable {
      case tar(gzip: Bool)
      /// `base.tar.gz`, `base.tar.zst` or `base.tar.lz4` (`base.tar` for `none`).
      case compressedTar(CompressionKind)
      case plain
    }

    public init(
      id: String, start: String = "0/200028", checkpoint: String = "0/200060",
      timeline: UInt32 = 1, label: String = "bb", format: Format = .tar(gzip: true),
      timezone: String? = "America/Phoenix", autoTimezone: String? = nil,
      logTimezone: String? = nil, startTime: String = "2025-07-01 02:00:00 UTC",
      includedSegments: [String] = [], manifest: Bool = true,
      control: ControlFileFixture = ControlFileFixture(),
      systemIdentifier: UInt64 = RepositoryFixture.systemIdentifier
    ) {
      self.id = id
      self.start = start
      self.checkpoint = checkpoint
      self.timeline = timeline
      self.label = label
      self.format = format
      self.timezone = timezone
      self.autoTimezone = autoTimezone
      self.logTimezone = logTimezone
      self.startTime = startTime
      self.includedSegments = includedSegments
      self.manifest = manifest
      self.control = control
      self.systemIdentifier = systemIdentifier
    }
  }

  /// Writes a base backup; returns its folder.
  @discardableResult
  public func writeBackup(_ backup: Backup) throws -> String {
    let folder = backup.id == "." ? base : "\(base)/\(backup.id)"
    var control = backup.control
    control.set(backup.systemIdentifier, at: 0)
    control.set(UInt32(Self.segmentSize.rawValue), at: 228)
    let startSegment = WALSegmentName(
      timeline: TimelineID(backup.timeline), containing: LSN(backup.start)!, size: Self.segmentSize)
    let label = """
      START WAL LOCATION: \(backup.start) (file \(startSegment))
      CHECKPOINT LOCATION: \(backup.checkpoint)
      BACKUP METHOD: streamed
      BACKUP FROM: primary
      START TIME: \(backup.startTime)
      LABEL: \(backup.label)
      START TIMELINE: \(backup.timeline)

      """
      + (backup.incrementalFrom.map { "INCREMENTAL FROM LSN: \($0.lsn)\nINCREMENTAL FROM TLI: \($0.timeline)\n" } ?? "")
    var members: [(String, [UInt8])] = [
      ("backup_label", Array(label.utf8)),
      ("tablespace_map", Array(backup.tablespaces.map { "\($0.oid) \($0.location)\n" }.joined().utf8)),
      ("PG_VERSION", Array("15\n".utf8)),
      (
        "postgresql.conf",
        Array(
          ("# settings\n" + (backup.timezone.map { "timezone = '\($0)'\n" } ?? "")
            + (backup.logTimezone.map { "log_timezone = '\($0)'\n" } ?? "")).utf8)
      ),
      ("postgresql.auto.conf", Array((backup.autoTimezone.map { "timezone = '\($0)'\n" } ?? "").utf8)),
      ("base/1/1259", [UInt8](repeating: 7, count: 5000)),
      ("global/pg_control", control.sealed()),
    ]
    if backup.timezone == nil, backup.logTimezone == nil { members.removeAll { $0.0 == "postgresql.conf" } }
    for extra in backup.extraFiles {
      if let index = members.firstIndex(where: { $0.0 == extra.path }) {
        members[index].1 = extra.bytes
      } else {
        members.insert((extra.path, extra.bytes), at: members.count - 1)
      }
    }
    if backup.incrementalFrom != nil {
      members.insert(("base/1/INCREMENTAL.2608", [UInt8](repeating: 3, count: 100)), at: members.count - 1)
    }
    switch backup.format {
    case .tar, .compressedTar:
      let kind: CompressionKind =
        switch backup.format {
        case .tar(let compress): compress ? .gzip : .none
        case .compressedTar(let kind): kind
        case .plain: .none
        }
      var tar = TarWriter([UInt8]())
      for (path, data) in members { try tar.append(.file(path), data: data) }
      let bytes = try tar.finish()
      try write(
        compressBytes(bytes, as: kind),
        to: "\(folder)/base.tar" + (kind == .none ? "" : "." + kind.fileSuffix))
      var walTar = TarWriter([UInt8]())
      for segment in backup.includedSegments {
        try walTar.append(.file(segment), data: Self.segmentBytes(segment, size: 4096))
      }
      try write(try walTar.finish(), to: "\(folder)/pg_wal.tar")
    case .plain:
      for (path, data) in members { try write(data, to: "\(folder)/\(path)") }
      for segment in backup.includedSegments {
        try write(Self.segmentBytes(segment), to: "\(folder)/pg_wal/\(segment)")
      }
    }
    if backup.manifest {
      try write(Self.manifest(members, start: backup.start, timeline: backup.timeline), to: "\(folder)/backup_manifest")
    }
    return folder
  }

  /// A version 1 manifest for the members, with its SHA-256 checksum.
  public static func manifest(_ members: [(String, [UInt8])], start: String, timeline: UInt32) -> [UInt8] {
    var body = "{ \"PostgreSQL-Backup-Manifest-Version\": 1,\n\"Files\": [\n"
    body += members.map { path, data in
      "{ \"Path\": \"\(path)\", \"Size\": \(data.count), \"Last-Modified\": \"2025-07-01 02:00:00 GMT\" }"
    }.joined(separator: ",\n")
    let end = LSN(rawValue: LSN(start)!.rawValue + 0xD8)
    body +=
      "\n],\n\"WAL-Ranges\": [\n{ \"Timeline\": \(timeline), \"Start-LSN\": \"\(start)\", \"End-LSN\": \"\(end)\" }\n],\n"
    let checksum = SHA256.hash(data: Data(body.utf8)).map { String(format: "%02x", $0) }.joined()
    return Array((body + "\"Manifest-Checksum\": \"\(checksum)\"}\n").utf8)
  }

  // MARK: - Files

  @discardableResult
  public func write(_ bytes: [UInt8], to path: String) throws -> String {
    let normalized = path.replacingOccurrences(of: "//", with: "/")
    try FileManager.default.createDirectory(
      atPath: (normalized as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try Data(bytes).write(to: URL(fileURLWithPath: normalized))
    return normalized
  }
}
