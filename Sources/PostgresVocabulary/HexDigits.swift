/// The fixed-width uppercase hex used in WAL file names.
enum HexDigits {
  /// Parses up to eight `0-9A-F` digits; `nil` for an empty run, lowercase or anything else.
  static func parseUppercase<Digits: Collection<UInt8>>(_ digits: Digits) -> UInt32? {
    guard (1...8).contains(digits.count) else { return nil }
    var value: UInt32 = 0
    for digit in digits {
      switch digit {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): value = value << 4 | UInt32(digit - 48)
      case UInt8(ascii: "A")...UInt8(ascii: "F"): value = value << 4 | UInt32(digit - 55)
      default: return nil
      }
    }
    return value
  }

  /// Eight uppercase digits, zero-padded: `0000000D`.
  static func eightUppercase(_ value: UInt32) -> String {
    let hex = String(value, radix: 16, uppercase: true)
    return String(repeating: "0", count: 8 - hex.count) + hex
  }
}
