extension Array where Element == UInt8 {
  /// Appends `value` in decimal ASCII digits, without going through a `String` (the `wal find`
  /// writers format hundreds of thousands of numbers a second).
  mutating func appendDecimal(_ value: UInt64) {
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { text in
      var start = 20
      var rest = value
      repeat {
        start -= 1
        text[start] = UInt8(ascii: "0") + UInt8(rest % 10)
        rest /= 10
      } while rest > 0
      append(contentsOf: UnsafeBufferPointer(rebasing: text[start...]))
    }
  }
}
