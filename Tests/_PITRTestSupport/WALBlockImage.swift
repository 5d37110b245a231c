import WAL

/// A full-page image as a block reference carries it: `bimg_len` stored bytes, the hole the
/// writer removed, and how the bytes are compressed. The bytes are not a real page (nor real
/// compressed data); readers skip them by length.
public struct WALBlockImage: Sendable {
  public enum Compression: Sendable, CaseIterable {
    case none, pglz, lz4, zstd
  }

  /// The stored bytes (`bimg_len` of them).
  public var bytes: [UInt8]
  /// `hole_offset`.
  public var holeOffset: UInt16
  /// The hole's length: implied (block size − `bimg_len`) for an uncompressed image, written
  /// in an `XLogRecordBlockCompressHeader` for a compressed one that has a hole.
  public var holeLength: UInt16
  public var compression: Compression
  /// `BKPIMAGE_APPLY`: redo restores the page from the image.
  public var apply: Bool

  /// An uncompressed image of a `blockSize` page whose hole (free space between the line
  /// pointers and the tuples) of `holeLength` bytes at `holeOffset` was left out.
  public static func page(
    holeOffset: Int = 0, holeLength: Int = 0, blockSize: Int = 8192, apply: Bool = true,
    fill: UInt8 = 0xA5
  ) -> WALBlockImage {
    WALBlockImage(
      bytes: pattern(count: blockSize - holeLength, seed: fill), holeOffset: UInt16(holeOffset),
      holeLength: UInt16(holeLength), compression: .none, apply: apply)
  }

  /// A compressed image of `length` stored bytes (not real compressed data).
  public static func compressed(
    _ compression: Compression, length: Int, holeOffset: Int = 0, holeLength: Int = 0,
    apply: Bool = true
  ) -> WALBlockImage {
    WALBlockImage(
      bytes: pattern(count: length, seed: 0x3C), holeOffset: UInt16(holeOffset),
      holeLength: UInt16(holeLength), compression: compression, apply: apply)
  }

  public init(
    bytes: [UInt8], holeOffset: UInt16, holeLength: UInt16, compression: Compression,
    apply: Bool
  ) {
    self.bytes = bytes
    self.holeOffset = holeOffset
    self.holeLength = holeLength
    self.compression = compression
    self.apply = apply
  }

  /// Whether the image has a hole (`BKPIMAGE_HAS_HOLE`).
  public var hasHole: Bool { holeLength > 0 }

  /// `bimg_info` as `version` numbers its bits: 13–14 HAS_HOLE 0x01, IS_COMPRESSED 0x02
  /// (pglz only), APPLY 0x04; 15–18 HAS_HOLE 0x01, APPLY 0x02, PGLZ 0x04, LZ4 0x08, ZSTD 0x10.
  public func info(version: WALVersion) -> UInt8 {
    var info: UInt8 = hasHole ? 0x01 : 0
    if version.major <= 14 {
      precondition(
        compression == .none || compression == .pglz, "\(version) compresses images with pglz only")
      if compression != .none { info |= 0x02 }
      if apply { info |= 0x04 }
    } else {
      if apply { info |= 0x02 }
      switch compression {
      case .none: break
      case .pglz: info |= 0x04
      case .lz4: info |= 0x08
      case .zstd: info |= 0x10
      }
    }
    return info
  }

  /// Bytes that are not all alike, so a misplaced offset shows.
  static func pattern(count: Int, seed: UInt8) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed)) }
  }
}
