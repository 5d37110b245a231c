/// A 512-byte tar header being filled in, for ``TarWriter``, and checksum repair for tests that
/// edit a header's fields on purpose.
public struct TarHeaderBytes {
  /// Which magic and version the header carries.
  enum Magic {
    /// POSIX ustar and pax: "ustar\0" "00".
    case posix
    /// GNU tar: "ustar  \0".
    case gnu
  }

  /// The header's bytes.
  var bytes = [UInt8](repeating: 0, count: 512)

  init(magic: Magic) {
    let text = magic == .posix ? "ustar\u{0}00" : "ustar  \u{0}"
    bytes.replaceSubrange(257..<265, with: text.utf8)
  }

  /// Writes `text` into a field, NUL-padded (not terminated when it fills the field).
  mutating func text(_ text: String, at field: Range<Int>) {
    let utf8 = Array(text.utf8.prefix(field.count))
    bytes.replaceSubrange(field.lowerBound..<(field.lowerBound + utf8.count), with: utf8)
  }

  /// Writes a number as zero-padded octal followed by a NUL, or in GNU base-256 when it does
  /// not fit (or when `base256` asks for it).
  mutating func octal(_ value: Int64, at field: Range<Int>, base256: Bool = false) {
    let digits = String(value, radix: 8)
    if base256 || value < 0 || digits.count > field.count - 1 {
      var remaining = value
      for index in field.reversed() {
        bytes[index] = UInt8(truncatingIfNeeded: remaining)
        remaining >>= 8
      }
      bytes[field.lowerBound] = value < 0 ? 0xFF : 0x80
      return
    }
    let padded = String(repeating: "0", count: field.count - 1 - digits.count) + digits
    text(padded, at: field)
    bytes[field.upperBound - 1] = 0
  }

  /// Recomputes the checksum of the header at `offset` in `archive`, after a test edited it.
  public static func reseal(_ archive: inout [UInt8], headerAt offset: Int) {
    var header = TarHeaderBytes(magic: .posix)
    header.bytes = Array(archive[offset..<(offset + 512)])
    archive.replaceSubrange(offset..<(offset + 512), with: header.sealed())
  }

  /// The finished header, with its checksum (6 octal digits, NUL, space).
  func sealed() -> [UInt8] {
    var result = bytes
    result.replaceSubrange(148..<156, with: repeatElement(UInt8(ascii: " "), count: 8))
    let sum = result.reduce(0) { $0 + Int($1) }
    let digits = String(sum, radix: 8)
    let field = String(repeating: "0", count: 6 - digits.count) + digits
    result.replaceSubrange(148..<154, with: field.utf8)
    result[154] = 0
    return result
  }
}
