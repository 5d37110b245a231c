extension LSN {
  /// Appends the `X/Y` text form (`description`) to `buffer` without making a `String`, for
  /// output of millions of rows.
  public func appendDescription(to buffer: inout [UInt8]) {
    HexDigits.appendUppercase(UInt32(truncatingIfNeeded: rawValue >> 32), to: &buffer)
    buffer.append(UInt8(ascii: "/"))
    HexDigits.appendUppercase(UInt32(truncatingIfNeeded: rawValue), to: &buffer)
  }
}
