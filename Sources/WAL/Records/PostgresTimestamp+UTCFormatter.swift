extension PostgresTimestamp {
  /// Writes timestamps as `description` does (`2025-12-24 17:53:45.880038+00`), as bytes,
  /// for output of millions of rows: the date and time up to the second are kept from the
  /// previous timestamp (WAL times mostly increase, thousands a second), so most calls only
  /// add the fraction.
  public struct UTCFormatter {
    /// The whole second last formatted (microseconds since 2000), and its text without zone.
    private var second: Int64?
    private var secondText: [UInt8] = []

    public init() {}

    /// Appends `time`'s UTC text to `buffer`.
    public mutating func append(_ time: PostgresTimestamp, to buffer: inout [UInt8]) {
      let microseconds = time.microsecondsSince2000
      let fraction = ((microseconds % 1_000_000) + 1_000_000) % 1_000_000
      let whole = microseconds &- fraction
      if whole != second {
        // "2025-12-24 17:53:45+00" without "+00".
        secondText = Array(PostgresTimestamp(microsecondsSince2000: whole).description.utf8.dropLast(3))
        second = whole
      }
      buffer.append(contentsOf: secondText)
      if fraction != 0 {
        // Six digits, trailing zeros dropped.
        var digits = 6
        var value = fraction
        while value % 10 == 0 {
          value /= 10
          digits -= 1
        }
        buffer.append(UInt8(ascii: "."))
        let start = buffer.count
        buffer.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: digits))
        var index = start + digits - 1
        while value > 0 {
          buffer[index] = UInt8(ascii: "0") + UInt8(value % 10)
          value /= 10
          index -= 1
        }
      }
      buffer.append(UInt8(ascii: "+"))
      buffer.append(UInt8(ascii: "0"))
      buffer.append(UInt8(ascii: "0"))
    }
  }
}
