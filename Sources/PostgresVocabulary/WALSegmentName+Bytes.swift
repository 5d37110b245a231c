extension WALSegmentName {
  /// Appends the 24-digit file name (`description`) to `buffer` without making a `String`.
  public func appendDescription(to buffer: inout [UInt8]) {
    HexDigits.appendUppercase(timeline.rawValue, digits: 8, to: &buffer)
    HexDigits.appendUppercase(log, digits: 8, to: &buffer)
    HexDigits.appendUppercase(seg, digits: 8, to: &buffer)
  }
}
