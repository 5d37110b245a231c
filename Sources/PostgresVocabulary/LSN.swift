/// A position in the write-ahead log (PostgreSQL's `XLogRecPtr`): a 64-bit byte offset.
///
/// Its text form is PostgreSQL's `%X/%X`: the high and low 32 bits in uppercase hex,
/// without zero padding (`0/3007528`).
public struct LSN: RawRepresentable, Hashable, Comparable, Sendable, Codable,
  CustomStringConvertible
{
  /// The byte position.
  public var rawValue: UInt64

  public init(rawValue: UInt64) { self.rawValue = rawValue }

  /// Makes an LSN from its two 32-bit halves.
  public init(high: UInt32, low: UInt32) {
    self.rawValue = UInt64(high) << 32 | UInt64(low)
  }

  /// Parses PostgreSQL's `X/Y` form: 1 to 8 hex digits on each side, either case.
  ///
  /// Returns `nil` for anything else (spaces, signs, `0x` prefixes, empty halves).
  public init?(_ text: some StringProtocol) {
    let halves = Substring(text).split(separator: "/", omittingEmptySubsequences: false)
    guard halves.count == 2,
      let high = LSN.parseHalf(halves[0]),
      let low = LSN.parseHalf(halves[1])
    else { return nil }
    self.init(high: high, low: low)
  }

  private static func parseHalf(_ digits: Substring) -> UInt32? {
    guard (1...8).contains(digits.count), digits.allSatisfy(\.isHexDigit) else { return nil }
    return UInt32(digits, radix: 16)
  }

  /// The `X/Y` text form, as PostgreSQL prints it.
  public var description: String {
    String(rawValue >> 32, radix: 16, uppercase: true) + "/"
      + String(rawValue & 0xFFFF_FFFF, radix: 16, uppercase: true)
  }

  public static func < (lhs: LSN, rhs: LSN) -> Bool { lhs.rawValue < rhs.rawValue }

  /// The invalid LSN, `0/0`.
  public static let invalid = LSN(rawValue: 0)

  public init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    let text = try container.decode(String.self)
    guard let lsn = LSN(text) else {
      throw DecodingError.dataCorruptedError(
        in: container, debugDescription: "'\(text)' is not an LSN of the form X/Y")
    }
    self = lsn
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(description)
  }
}
