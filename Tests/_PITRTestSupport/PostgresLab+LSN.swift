/// LSNs as PostgreSQL prints them (`X/Y`, hexadecimal), for a module that cannot import `WAL`.
extension PostgresLab {
  /// The 64-bit position `text` (`"0/3008198"`, `"0/03008198"`) stands for; nil when it is
  /// not two hexadecimal numbers of at most 8 digits around a slash.
  public static func lsn(_ text: String) -> UInt64? {
    let parts = text.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count == 2, parts.allSatisfy({ (1...8).contains($0.count) }),
      let high = UInt64(parts[0], radix: 16), let low = UInt64(parts[1], radix: 16)
    else { return nil }
    return high << 32 | low
  }

  /// `value` printed as PostgreSQL prints an LSN (`%X/%X`).
  public static func lsnText(_ value: UInt64) -> String {
    "\(String(value >> 32, radix: 16, uppercase: true))/"
      + String(value & 0xFFFF_FFFF, radix: 16, uppercase: true)
  }
}
