import Foundation
import WAL

/// `global/pg_control`: the cluster's identity, build parameters and last checkpoint.
///
/// Read from the 8192-byte file of PostgreSQL 13 to 18 on little-endian 64-bit platforms
/// (the layouts of FORMATS.md §7). The CRC-32C is checked, and files from other platforms or
/// releases are refused with a `CatalogFormatError` saying why.
///
/// Inside a base backup, use backup_label rather than this file for the start checkpoint:
/// pg_control is copied last and may show a later one.
public struct ControlFile: Hashable, Sendable {
  /// Identifies the cluster; every WAL segment's long header carries the same number.
  public var systemIdentifier: UInt64
  /// `pg_control_version`: 1300 for 13 to 16, 1700, 1800.
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

  /// The size of `ControlFileData` in every supported release; the file is padded to 8192.
  public static let dataSize = 296
  /// The value `floatFormat` must hold.
  public static let expectedFloatFormat = 1_234_567.0

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
    let crcOffset = controlVersion >= 1800 ? 292 : 288
    let stored = bytes.uint32(at: crcOffset)
    let computed = CRC32C.checksum(raw[..<crcOffset])
    guard stored == computed else {
      throw CatalogFormatError(.controlFile, .crcMismatch(stored: stored, computed: computed))
    }
    maxAlign = bytes.uint32(at: 204)
    floatFormat = bytes.float64(at: 208)
    guard maxAlign == 8, floatFormat == Self.expectedFloatFormat else {
      let found = maxAlign != 8 ? "maximum alignment \(maxAlign)" : "float format \(floatFormat)"
      throw CatalogFormatError(
        .controlFile,
        .incompatibleCluster(
          "not a little-endian 64-bit cluster (\(found); pitr needs 8 and "
            + "1234567.0)"))
    }
    let segmentBytes = bytes.uint32(at: 228)
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
    checkpoint = Checkpoint(bytes, at: 40)
    minRecoveryPoint = LSN(rawValue: bytes.uint64(at: 136))
    minRecoveryPointTimeline = TimelineID(bytes.uint32(at: 144))
    backupStartPoint = LSN(rawValue: bytes.uint64(at: 152))
    backupEndPoint = LSN(rawValue: bytes.uint64(at: 160))
    backupEndRequired = bytes.bool(at: 168)
    walLevel = WALLevel(rawValue: bytes.int32(at: 172))
    walLogHints = bytes.bool(at: 176)
    maxConnections = bytes.int32(at: 180)
    maxWorkerProcesses = bytes.int32(at: 184)
    maxWALSenders = bytes.int32(at: 188)
    maxPreparedTransactions = bytes.int32(at: 192)
    maxLocksPerTransaction = bytes.int32(at: 196)
    trackCommitTimestamp = bytes.bool(at: 200)
    blockSize = bytes.uint32(at: 216)
    relationSegmentSize = bytes.uint32(at: 220)
    walBlockSize = bytes.uint32(at: 224)
    dataChecksumVersion = bytes.uint32(at: 252)
  }

  /// The release, or the reason the version numbers are refused.
  private static func majorVersion(control: UInt32, catalog: UInt32) throws(CatalogFormatError)
    -> PostgreSQLMajorVersion
  {
    if let version = PostgreSQLMajorVersion(controlVersion: control, catalogVersion: catalog) {
      return version
    }
    if [1300, 1700, 1800].contains(control.byteSwapped) {
      throw CatalogFormatError(
        .controlFile,
        .incompatibleCluster("not a little-endian 64-bit cluster (the file is big-endian)"))
    }
    throw CatalogFormatError(
      .controlFile,
      .unsupportedVersion(
        "pg_control version \(control) with catalog version \(catalog) is not a PostgreSQL "
          + "release pitr reads (13 to 18)"))
  }
}
