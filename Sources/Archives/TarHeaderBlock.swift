/// One 512-byte tar header block, its fields decoded on demand.
///
/// Layout (POSIX ustar, which GNU and pax headers share): name 0..<100, mode 100..<108, uid
/// 108..<116, gid 116..<124, size 124..<136, mtime 136..<148, checksum 148..<156, type flag
/// 156, link name 157..<257, magic 257..<263, version 263..<265, user name 265..<297, group name
/// 297..<329, device numbers 329..<345, prefix 345..<500 (POSIX ustar only).
struct TarHeaderBlock {
  /// The size of every tar block.
  static let size = 512

  /// The block's bytes (exactly ``size``).
  let bytes: [UInt8]
  /// Where the block starts in the tar stream.
  let offset: Int64
  /// The archive's name, for errors.
  let file: String?

  /// Every byte is zero: an end-of-archive marker.
  var isZero: Bool { bytes.allSatisfy { $0 == 0 } }

  /// The type flag byte.
  var typeFlag: UInt8 { bytes[156] }

  /// The magic says POSIX ustar ("ustar\0"), whose prefix field extends the name.
  var isPOSIXUstar: Bool { bytes[257..<263].elementsEqual("ustar\0".utf8) }

  /// The path from the name field, joined to the prefix field for POSIX ustar headers.
  var ustarPath: String {
    let name = string(0..<100)
    guard isPOSIXUstar else { return name }
    let prefix = string(345..<500)
    return prefix.isEmpty ? name : prefix + "/" + name
  }

  /// The link name field.
  var linkName: String { string(157..<257) }
  /// The user name field.
  var userName: String { string(265..<297) }
  /// The group name field.
  var groupName: String { string(297..<329) }

  /// Throws unless the stored checksum matches the block (summed as unsigned or signed bytes,
  /// with the checksum field counted as spaces).
  func verifyChecksum() throws {
    let stored = try? number(148..<156, field: "checksum")
    var unsigned: Int64 = 0
    var signed: Int64 = 0
    for (index, byte) in bytes.enumerated() {
      let value = (148..<156).contains(index) ? 0x20 : byte
      unsigned += Int64(value)
      signed += Int64(Int8(bitPattern: value))
    }
    guard stored != unsigned, stored != signed else { return }
    let storedText = stored.map { "stored 0o" + String($0, radix: 8) } ?? "stored value unreadable"
    let computedText = "computed 0o" + String(unsigned, radix: 8)
    let hint = offset == 0 ? "; is this a tar archive?" : ""
    throw ArchiveError(
      .checksumMismatch, "tar header checksum mismatch (\(storedText), \(computedText)\(hint))",
      offset: offset, file: file)
  }

  /// Decodes a numeric field: octal digits (padded with spaces or NULs), or GNU base-256 when
  /// the first byte has its high bit set.
  ///
  /// - Throws: ``ArchiveError`` (``ArchiveError/Kind/corrupt``) for other bytes or overflow.
  func number(_ range: Range<Int>, field: String) throws -> Int64 {
    let digits = bytes[range]
    if let first = digits.first, first & 0x80 != 0 {
      guard let value = Self.base256(digits) else { throw malformed(field) }
      return value
    }
    var value: Int64 = 0
    var index = digits.startIndex
    while index < digits.endIndex, digits[index] == 0x20 { index += 1 }
    while index < digits.endIndex, (0x30...0x37).contains(digits[index]) {
      guard value <= (Int64.max - 7) / 8 else { throw malformed(field) }
      value = value * 8 + Int64(digits[index] - 0x30)
      index += 1
    }
    guard digits[index...].allSatisfy({ $0 == 0 || $0 == 0x20 }) else { throw malformed(field) }
    return value
  }

  /// An error for a numeric field that cannot be decoded.
  func malformed(_ field: String) -> ArchiveError {
    ArchiveError(.corrupt, "malformed \(field) field in tar header", offset: offset, file: file)
  }

  /// A GNU base-256 number: big-endian two's complement after the marker bit.
  private static func base256(_ digits: ArraySlice<UInt8>) -> Int64? {
    let invert: UInt8 = (digits.first ?? 0) & 0x40 != 0 ? 0xFF : 0
    var value: UInt64 = 0
    for (index, byte) in digits.enumerated() {
      var byte = byte ^ invert
      if index == 0 { byte &= 0x7F }
      guard value >> 56 == 0 else { return nil }
      value = value << 8 | UInt64(byte)
    }
    guard value >> 63 == 0 else { return nil }
    return invert == 0 ? Int64(value) : ~Int64(value)
  }

  /// A NUL-terminated text field.
  private func string(_ range: Range<Int>) -> String {
    let field = bytes[range]
    let end = field.firstIndex(of: 0) ?? field.endIndex
    return String(decoding: field[..<end], as: UTF8.self)
  }
}
