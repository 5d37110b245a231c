extension HexDigits {
  /// Appends `value` in uppercase hex: `digits` digits, zero-padded, or as few as it takes
  /// (`0` for zero, as `%X` prints it) when `digits` is nil. One append per number: this
  /// runs for every row of a long listing.
  static func appendUppercase(_ value: UInt32, digits: Int? = nil, to buffer: inout [UInt8]) {
    let count = digits ?? max(1, (32 - value.leadingZeroBitCount + 3) / 4)
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 8) { text in
      for index in 0..<count {
        let nibble = UInt8(truncatingIfNeeded: value >> (4 * UInt32(count - 1 - index))) & 0xF
        text[index] = nibble < 10 ? nibble + UInt8(ascii: "0") : nibble - 10 + UInt8(ascii: "A")
      }
      buffer.append(contentsOf: UnsafeBufferPointer(rebasing: text[..<count]))
    }
  }
}
