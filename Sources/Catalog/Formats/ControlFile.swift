import Foundation
import PostgresVocabulary
import WAL

/// `global/pg_control`: the cluster's identity, build parameters and last checkpoint.
///
/// Read from the 8192-byte file of PostgreSQL 13 to 19 on little-endian 64-bit platforms
/// (the layouts of FORMATS.md §7). The CRC-32C is checked, and files from other platforms or
/// releases are refused with a `CatalogFormatError` saying why.
///
/// Inside a base backup, use backup_label rather than this file for the start checkpoint:
/// pg_control is copied last and may show a later one.
public struct ControlFile: Hashable, Sendable {
  /// Identifies the cluster; every WAL segment's long header carries the same number.
  public var systemIdentifier: UInt64
  /// `pg_control_version`: 1300 for 13 to 16, 1700, 1800, 1902.
  public var controlVersion: UInt32
  /// `catalog_version_no`, which tells 13 to 16 apart.
  public var catalogVersion: UInt32
  /// The release, from the two version numbers.
  public var majorVersion: PostgreSQLMajorVersion
  public var state: State
  /// When pg_control was last written.
  public var time: Date
  /// The LSN of the latest checkpoint record.
  public var checkpointLSN: LSN
  /// The latest checkpoint record's content.
  public var checkpoint: Checkpoint
  /// Recovery must reach this LSN before the cluster is consistent (0/0 when not needed).
  public var minRecoveryPoint: LSN
  public var minRecoveryPointTimeline: TimelineID
  /// The start of a backup being restored (0/0 when none).
  public var backupStartPoint: LSN
  /// The end of a standby backup being restored (0/0 when none).
  public var backupEndPoint: LSN
  /// Whether recovery still waits for a BACKUP_END record.
  public var backupEndRequired: Bool
  public var walLevel: WALLevel
  public var walLogHints: Bool
  public var maxConnections: Int32
  public var maxWorkerProcesses: Int32
  public var maxWALSenders: Int32
  public var maxPreparedTransactions: Int32
  public var maxLocksPerTransaction: Int32
  public var trackCommitTimestamp: Bool
  /// `MAXIMUM_ALIGNOF` of the build; always 8 here.
  public var maxAlign: UInt32
  /// `1234567.0` on every build pitr reads.
  public var floatFormat: Double
  /// `BLCKSZ`, the data page size (8192 by default).
  public var blockSize: UInt32
  /// `RELSEG_SIZE`: blocks per relation segment file.
  public var relationSegmentSize: UInt32
  /// `XLOG_BLCKSZ`, the WAL page size.
  public var walBlockSize: UInt32
  public var walSegmentSize: WALSegmentSize
  /// 0 when data checksums are off, otherwise their version (1).
  public var dataChecksumVersion: UInt32

  /// The size of `ControlFileData` in 13 to 18 (19's is 312); the file is padded to 8192.
  public static let dataSize = 296
  /// The value `floatFormat` must hold.
  public static let expectedFloatFormat = 1_234_567.0

  /// Where the fields pitr reads are, per `pg_control_version` (FORMATS.md §7).
  struct Layout {
    /// `sizeof(ControlFileData)`.
    var size: Int
    var crc: Int
    /// `checkPointCopy` and the fields that follow it up to `wal_level`.
    var checkpointCopy = 40
    var minRecoveryPoint: Int
    /// `wal_level`; `wal_log_hints`, the five hot-standby settings and
    /// `track_commit_timestamp` follow it at fixed distances.
    var walLevel: Int
    var maxAlign: Int
    var floatFormat: Int
    var blockSize: Int
    var relationSegmentSize: Int
    var walBlockSize: Int
    var walSegmentSize: Int
    var dataChecksumVersion: Int

    /// 13 to 17 (1300, 1700): 88-byte CheckPoint, CRC at 288.
    static let v13 = Layout(
      size: 296, crc: 288, minRecoveryPoint: 136, walLevel: 172, maxAlign: 204, floatFormat: 208,
      blockSize: 216, relationSegmentSize: 220, walBlockSize: 224, walSegmentSize: 228,
      dataChecksumVersion: 252)
    /// 18 (1800): `default_char_signedness` before the nonce moves the CRC to 292.
    static let v18 = Layout(
      size: 296, crc: 292, minRecoveryPoint: 136, walLevel: 172, maxAlign: 204, floatFormat: 208,
      blockSize: 216, relationSegmentSize: 220, walBlockSize: 224, walSegmentSize: 228,
      dataChecksumVersion: 252)
    /// 19 (1902): a 96-byte CheckPoint (logicalDecodingEnabled, 64-bit nextMultiOffset,
    /// dataChecksumState) shifts everything after it by 8, and `slru_pages_per_segment`
    /// after `relseg_size` by 4 more.
    static let v19 = Layout(
      size: 312, crc: 304, minRecoveryPoint: 144, walLevel: 180, maxAlign: 212, floatFormat: 216,
      blockSize: 224, relationSegmentSize: 228, walBlockSize: 236, walSegmentSize: 240,
      dataChecksumVersion: 264)

    static func forVersion(_ controlVersion: UInt32) -> Layout {
      switch controlVersion {
      case 1902...: .v19
      case 1800...: .v18
      default: .v13
      }
    }
  }

  /// Parses the bytes of a pg_control file.
  ///
  /// - Throws: `CatalogFormatError` for a short file, a byte-swapped or 32-bit cluster, an
  ///   unknown `pg_control_version`, a CRC mismatch or an impossible WAL segment size.
  public init(parsing data: some Collection<UInt8>) throws(CatalogFormatError) {
    let raw = Array(data)
    guard raw.count >= Self.dataSize else {
      throw CatalogFormatError(.controlFile, .tooShort(size: raw.count, minimum: Self.dataSize))
    }
    let bytes = LittleEndianBytes(raw)
    controlVersion = bytes.uint32(at: 8)
    catalogVersion = bytes.uint32(at: 12)
    majorVersion = try Self.majorVersion(control: controlVersion, catalog: catalogVersion)
    let layout = Layout.forVersion(controlVersion)
    guard raw.count >= layout.size else {
      throw CatalogFormatError(.controlFile, .tooShort(size: raw.count, minimum: layout.size))
    }
    let stored = bytes.uint32(at: layout.crc)
    let computed = CRC32C.checksum(raw[..<layout.crc])
    guard stored == computed else {
      throw CatalogFormatError(.controlFile, .crcMismatch(stored: stored, computed: computed))
    }
    maxAlign = bytes.uint32(at: layout.maxAlign)
    floatFormat = bytes.float64(at: layout.floatFormat)
    guard maxAlign == 8, floatFormat == Self.expectedFloatFormat else {
      let found = maxAlign != 8 ? "maximum alignment \(maxAlign)" : "float format \(floatFormat)"
      throw CatalogFormatError(
        .controlFile,
        .incompatibleCluster(
          "not a little-endian 64-bit cluster (\(found); pitr needs 8 and "
            + "1234567.0)"))
    }
    let segmentBytes = bytes.uint32(at: layout.walSegmentSize)
    guard let segmentSize = WALSegmentSize(rawValue: segmentBytes) else {
      throw CatalogFormatError(
        .controlFile,
        .invalidValue(
          key: "xlog_seg_size", value: String(segmentBytes),
          expected: "a power of two from 1 MiB to 1 GiB"))
    }
    walSegmentSize = segmentSize
    systemIdentifier = bytes.uint64(at: 0)
    state = State(rawValue: bytes.int32(at: 16))
    time = Date(timeIntervalSince1970: TimeInterval(bytes.int64(at: 24)))
    checkpointLSN = LSN(rawValue: bytes.uint64(at: 32))
    checkpoint = Checkpoint(bytes, at: layout.checkpointCopy, controlVersion: controlVersion)
    let recovery = layout.minRecoveryPoint
    minRecoveryPoint = LSN(rawValue: bytes.uint64(at: recovery))
    minRecoveryPointTimeline = TimelineID(bytes.uint32(at: recovery + 8))
    backupStartPoint = LSN(rawValue: bytes.uint64(at: recovery + 16))
    backupEndPoint = LSN(rawValue: bytes.uint64(at: recovery + 24))
    backupEndRequired = bytes.bool(at: recovery + 32)
    let settings = layout.walLevel
    walLevel = WALLevel(rawValue: bytes.int32(at: settings))
    walLogHints = bytes.bool(at: settings + 4)
    maxConnections = bytes.int32(at: settings + 8)
    maxWorkerProcesses = bytes.int32(at: settings + 12)
    maxWALSenders = bytes.int32(at: settings + 16)
    maxPreparedTransactions = bytes.int32(at: settings + 20)
    maxLocksPerTransaction = bytes.int32(at: settings + 24)
    trackCommitTimestamp = bytes.bool(at: settings + 28)
    blockSize = bytes.uint32(at: layout.blockSize)
    relationSegmentSize = bytes.uint32(at: layout.relationSegmentSize)
    walBlockSize = bytes.uint32(at: layout.walBlockSize)
    dataChecksumVersion = bytes.uint32(at: layout.dataChecksumVersion)
  }

  /// The release, or the reason the version numbers are refused.
  private static func majorVersion(control: UInt32, catalog: UInt32) throws(CatalogFormatError)
    -> PostgreSQLMajorVersion
  {
    if let version = PostgreSQLMajorVersion(controlVersion: control, catalogVersion: catalog) {
      return version
    }
    if [1300, 1700, 1800, 1902].contains(control.byteSwapped) {
      throw CatalogFormatError(
        .controlFile,
        .incompatibleCluster("not a little-endian 64-bit cluster (the file is big-endian)"))
    }
    throw CatalogFormatError(
      .controlFile,
      .unsupportedVersion(
        "pg_control version \(control) with catalog version \(catalog) is not a PostgreSQL "
          + "release pitr reads (\(PostgreSQLMajorVersion.supportedRange))"))
  }
}
