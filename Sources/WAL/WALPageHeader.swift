import PostgresVocabulary

/// The header at the start of every WAL page (PostgreSQL's `XLogPageHeaderData`), and the
/// long form at the start of every segment (`XLogLongPageHeaderData`).
///
/// All fields are little-endian. FORMATS.md §2 has the layout.
public struct WALPageHeader: Hashable, Sendable {
  /// `xlp_info`: the page starts with the rest of a record from an earlier page.
  public static let firstIsContinuation: UInt16 = 0x0001
  /// `xlp_info`: this is the long (40-byte) form.
  public static let longHeader: UInt16 = 0x0002

  /// Size of the short header (24 bytes, MAXALIGN'ed) and of the long one (40 bytes).
  public static let shortSize = 24
  public static let longSize = 40

  /// The fields only the long form has.
  public struct SegmentFields: Hashable, Sendable {
    /// `xlp_sysid`: the cluster's system identifier.
    public var systemIdentifier: UInt64
    /// `xlp_seg_size`: `wal_segment_size`, in bytes.
    public var segmentSize: UInt32
    /// `xlp_xlog_blcksz`: the WAL page size, in bytes.
    public var blockSize: UInt32
  }

  /// `xlp_magic`: says which PostgreSQL version wrote the page.
  public var magic: UInt16
  /// `xlp_info`: flag bits.
  public var info: UInt16
  /// `xlp_tli`: the timeline of the first record on the page (may be the parent's).
  public var timeline: TimelineID
  /// `xlp_pageaddr`: the LSN of the page's first byte.
  public var pageAddress: LSN
  /// `xlp_rem_len`: bytes of a continued record still to come, when the page starts with one.
  public var remainingLength: UInt32
  /// Present when the header is the long form.
  public var segment: SegmentFields?

  /// Reads a header from the first bytes of a page.
  ///
  /// Returns `nil` when there are too few bytes (24 for a short header, 40 when the long flag
  /// is set). It does not judge the values: see `WALVersion` and the reader's checks.
  public init?(_ bytes: some Collection<UInt8>) {
    let data = Array(bytes.prefix(Self.longSize))
    guard data.count >= Self.shortSize else { return nil }
    func integer<T: FixedWidthInteger>(_ offset: Int, as: T.Type) -> T {
      var value: T = 0
      for index in 0..<MemoryLayout<T>.size {
        value |= T(truncatingIfNeeded: data[offset + index]) << (8 * index)
      }
      return value
    }
    magic = integer(0, as: UInt16.self)
    info = integer(2, as: UInt16.self)
    timeline = TimelineID(integer(4, as: UInt32.self))
    pageAddress = LSN(rawValue: integer(8, as: UInt64.self))
    remainingLength = integer(16, as: UInt32.self)
    if info & Self.longHeader != 0 {
      guard data.count >= Self.longSize else { return nil }
      segment = SegmentFields(
        systemIdentifier: integer(24, as: UInt64.self), segmentSize: integer(32, as: UInt32.self),
        blockSize: integer(36, as: UInt32.self))
    } else {
      segment = nil
    }
  }

  /// The PostgreSQL version whose magic this is, if it is one pitr knows.
  public var version: WALVersion? { WALVersion(magic: magic) }
}

/// The WAL format versions pitr reads, one per PostgreSQL major version, told apart by the
/// page magic (`XLOG_PAGE_MAGIC`).
public struct WALVersion: Hashable, Sendable, CustomStringConvertible {
  /// The PostgreSQL major version (13 to 19).
  public var major: Int
  /// Its `XLOG_PAGE_MAGIC`.
  public var magic: UInt16

  /// Every version pitr reads.
  public static let known: [WALVersion] = [
    WALVersion(major: 13, magic: 0xD106), WALVersion(major: 14, magic: 0xD10D),
    WALVersion(major: 15, magic: 0xD110), WALVersion(major: 16, magic: 0xD113),
    WALVersion(major: 17, magic: 0xD116), WALVersion(major: 18, magic: 0xD118),
    WALVersion(major: 19, magic: 0xD121),
  ]

  /// `13 to 19`: the majors pitr reads, for messages.
  public static var supportedRange: String {
    "\(known.first!.major) to \(known.last!.major)"
  }

  private init(major: Int, magic: UInt16) {
    self.major = major
    self.magic = magic
  }

  /// The version with this magic, or `nil` for a magic pitr does not know.
  public init?(magic: UInt16) {
    guard let known = Self.known.first(where: { $0.magic == magic }) else { return nil }
    self = known
  }

  /// The valid `xlp_info` bits: 0x000F up to 18 (the overwrite-contrecord flag was
  /// back-patched into 13 and 14 minors, so it is accepted for every version); 0x0007 from
  /// 19, which dropped `XLP_BKP_REMOVABLE` and renumbered the overwrite flag.
  public var validInfoMask: UInt16 { major >= 19 ? 0x0007 : 0x000F }

  /// `XLP_FIRST_IS_OVERWRITE_CONTRECORD`: the page starts with a record that replaces one
  /// abandoned at a crash. 0x0008 up to 18, 0x0004 from 19.
  public var overwriteContrecordFlag: UInt16 { major >= 19 ? 0x0004 : 0x0008 }

  public var description: String { "PostgreSQL \(major)" }
}
