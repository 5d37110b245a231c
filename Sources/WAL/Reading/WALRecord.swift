import PostgresVocabulary

/// One WAL record as the reader found it: its header fields and its bytes.
///
/// The bytes are only valid during the callback that receives the record: copy what you keep.
public struct WALRecord {
  /// Where the record starts.
  public let lsn: LSN
  /// Where the next record starts (`lsn` + length, MAXALIGN'ed; page headers counted).
  public let nextLSN: LSN
  /// `xl_xid`: the transaction (or subtransaction) that wrote it; 0 if none.
  public let transactionID: UInt32
  /// `xl_rmid`: the resource manager (0 XLOG, 1 XACT, 9 HEAP2, 10 HEAP, …).
  public let resourceManager: UInt8
  /// `xl_info`: the high nibble is the resource manager's opcode.
  public let info: UInt8
  /// The timeline of the page the record starts on. A child timeline's file of the segment
  /// holding its switch point starts with a copy of the parent's pages, and the child's first
  /// records follow on the parent's last page: those pages keep the parent's timeline.
  public let timeline: TimelineID
  /// The segment file the record starts in, as the provider named it: the file the record was
  /// really read from (on a child timeline's copy of a switch segment, the child's file,
  /// whatever `timeline` says).
  public let segment: WALSegmentName
  /// The PostgreSQL version that wrote it.
  public let version: WALVersion
  /// The whole record, header included, page headers removed.
  public let bytes: UnsafeRawBufferPointer

  /// `xl_tot_len`.
  public var length: Int { bytes.count }
}

/// Resource manager ids (identical in PostgreSQL 13–18; 19 adds XLOG2).
public enum ResourceManager {
  public static let xlog: UInt8 = 0
  public static let transaction: UInt8 = 1
  public static let standby: UInt8 = 8
  public static let heap2: UInt8 = 9
  public static let heap: UInt8 = 10

  /// `RM_XLOG2_ID` (19+): data checksum state changes (`XLOG2_CHECKSUMS`).
  public static let xlog2: UInt8 = 22

  /// Whether a version accepts this id: 0–21 (0–22 from PostgreSQL 19, which added
  /// XLOG2), and custom ids 128–255 from PostgreSQL 15.
  static func isValid(_ id: UInt8, version: WALVersion) -> Bool {
    id <= (version.major >= 19 ? 22 : 21) || (version.major >= 15 && id >= 128)
  }
}
