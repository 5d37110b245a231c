/// The tuples of one heap page, as PostgreSQL lays them out (bufpage.h, itemid.h,
/// htup_details.h; the same in 13–18).
///
/// A page starts with a 24-byte header (`pd_lsn`, `pd_checksum`, `pd_flags`, `pd_lower`@12,
/// `pd_upper`@14, `pd_special`@16, `pd_pagesize_version`@18, `pd_prune_xid`@20), then an
/// array of 4-byte line pointers up to `pd_lower` (`lp_off`: bits 0–14, `lp_flags`: bits
/// 15–16, `lp_len`: bits 17–31); tuples are stored from `pd_upper` to the end. Each tuple has a
/// 23-byte header (`t_xmin`@0, `t_xmax`@4, `t_cid`@8, `t_ctid`@12, `t_infomask2`@18,
/// `t_infomask`@20, `t_hoff`@22, the null bitmap `t_bits`@23) and its attributes from
/// `t_hoff`.
///
/// A page copied by a running server (a base backup is fuzzy) may be torn or half written:
/// what does not fit the page is skipped, never trusted.
public struct HeapPage: Sendable {
  /// The page header's size.
  public static let headerSize = 24
  /// The tuple header's fixed part (`offsetof(HeapTupleHeaderData, t_bits)`).
  public static let tupleHeaderSize = 23

  /// `LP_NORMAL`: a line pointer to a stored tuple (the others are unused, redirects and dead).
  static let normalLinePointer: UInt32 = 1

  /// The page's stored tuples, in line pointer order.
  public private(set) var tuples: [HeapTuple] = []

  /// Decodes `bytes` (one page); a page that is all zeros (new) or whose header does not hold
  /// together has no tuples.
  public init(_ bytes: ArraySlice<UInt8>) {
    let page = Array(bytes)
    guard page.count >= Self.headerSize else { return }
    let lower = Int(Self.uint16(page, 12))
    let upper = Int(Self.uint16(page, 14))
    let special = Int(Self.uint16(page, 16))
    guard lower >= Self.headerSize, lower <= upper, upper <= special, special <= page.count else { return }
    let count = (lower - Self.headerSize) / 4
    for index in 0..<count {
      let pointer = Self.uint32(page, Self.headerSize + 4 * index)
      let offset = Int(pointer & 0x7FFF)
      let flags = (pointer >> 15) & 0x3
      let length = Int(pointer >> 17)
      guard flags == Self.normalLinePointer, offset >= upper, length >= Self.tupleHeaderSize,
        offset + length <= special
      else { continue }
      if let tuple = HeapTuple(page[offset..<offset + length], item: index + 1) { tuples.append(tuple) }
    }
  }

  /// The pages of a relation file (a short tail is ignored), whose size the first page's
  /// `pd_pagesize_version` gives (8192 unless the server was built otherwise).
  public static func pages(of file: [UInt8]) -> [HeapPage] {
    let pageSize = pageSize(of: file)
    return stride(from: 0, to: file.count - pageSize + 1, by: pageSize).map { HeapPage(file[$0..<$0 + pageSize]) }
  }

  /// The block size the first page states, or 8192 when it states none that PostgreSQL allows.
  static func pageSize(of file: [UInt8]) -> Int {
    guard file.count >= headerSize else { return 8192 }
    let stated = Int(uint16(file, 18) & 0xFF00)
    return [1024, 2048, 4096, 8192, 16384, 32768].contains(stated) ? stated : 8192
  }

  static func uint16(_ bytes: [UInt8], _ offset: Int) -> UInt16 {
    UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
  }

  static func uint32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
    (0..<4).reduce(0) { $0 | UInt32(bytes[offset + $1]) << (8 * $1) }
  }
}

/// One stored tuple: its header and its attribute bytes.
public struct HeapTuple: Sendable {
  /// The inserting transaction.
  public var xmin: UInt32
  /// The deleting (or locking) transaction; 0 when none.
  public var xmax: UInt32
  /// `t_infomask`: hint bits and flags.
  public var infomask: UInt16
  /// The number of attributes stored (`t_infomask2 & HEAP_NATTS_MASK`).
  public var attributeCount: Int
  /// The line pointer number (1-based).
  public var item: Int
  /// Per attribute, whether it is null (empty when the tuple has no null bitmap).
  var nulls: [Bool]
  /// The attributes' bytes, from `t_hoff` on.
  public var data: [UInt8]

  static let hasNull: UInt16 = 0x0001
  static let xmaxKeyShareLock: UInt16 = 0x0010
  static let xmaxExclusiveLock: UInt16 = 0x0040
  static let xmaxLockOnly: UInt16 = 0x0080
  static let xminCommitted: UInt16 = 0x0100
  static let xminInvalid: UInt16 = 0x0200
  static let xmaxCommitted: UInt16 = 0x0400
  static let xmaxInvalid: UInt16 = 0x0800
  static let xmaxIsMulti: UInt16 = 0x1000

  init?(_ bytes: ArraySlice<UInt8>, item: Int) {
    let tuple = Array(bytes)
    xmin = HeapPage.uint32(tuple, 0)
    xmax = HeapPage.uint32(tuple, 4)
    let infomask2 = HeapPage.uint16(tuple, 18)
    infomask = HeapPage.uint16(tuple, 20)
    attributeCount = Int(infomask2 & 0x07FF)
    self.item = item
    let hoff = Int(tuple[22])
    guard hoff >= HeapPage.tupleHeaderSize, hoff <= tuple.count else { return nil }
    nulls = []
    if infomask & Self.hasNull != 0 {
      guard HeapPage.tupleHeaderSize + (attributeCount + 7) / 8 <= hoff else { return nil }
      nulls = (0..<attributeCount).map { tuple[HeapPage.tupleHeaderSize + $0 / 8] & (1 << ($0 % 8)) == 0 }
    }
    data = Array(tuple[hoff...])
  }

  /// Whether attribute `index` (0-based) is null or not stored at all.
  public func isNull(_ index: Int) -> Bool {
    index >= attributeCount || (!nulls.isEmpty && nulls[index])
  }

  /// What the hint bits say about the tuple's visibility, without the commit log.
  public var visibility: Visibility {
    if infomask & Self.xminInvalid != 0, infomask & Self.xminCommitted == 0 { return .aborted }
    let deleted =
      xmax != 0 && infomask & Self.xmaxInvalid == 0 && !isLockedOnly
    if deleted {
      // Updated or deleted by its own transaction: dead whether that committed or not.
      if infomask & Self.xmaxCommitted != 0 || xmax == xmin { return .deleted }
      return .maybeDeleted
    }
    return infomask & Self.xminCommitted != 0 ? .committed : .maybeCommitted
  }

  /// `HEAP_XMAX_IS_LOCKED_ONLY`: xmax only locked the row.
  var isLockedOnly: Bool {
    infomask & Self.xmaxLockOnly != 0
      || infomask & (Self.xmaxIsMulti | Self.xmaxExclusiveLock | Self.xmaxKeyShareLock) == Self.xmaxExclusiveLock
  }

  /// A tuple's visibility as the hint bits tell it, best first.
  public enum Visibility: Int, Comparable, Sendable {
    /// The inserter aborted (`HEAP_XMIN_INVALID`), or the row was deleted or updated by a
    /// committed transaction (or by its own).
    case aborted = 0
    case deleted
    /// Deleted or updated by a transaction whose outcome the page does not say.
    case maybeDeleted
    /// Inserted by a transaction whose outcome the page does not say (no hint bit yet), not
    /// deleted.
    case maybeCommitted
    /// Inserted by a committed (or frozen) transaction, not deleted.
    case committed

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Whether the tuple can be the row's version at backup time at all.
    public var isCandidate: Bool { self >= .maybeDeleted }
  }
}
