extension BackupManifest {
  /// A file checksum from the manifest: the algorithm and the digest bytes.
  public struct Checksum: Hashable, Sendable {
    /// The algorithms `--manifest-checksums` offers, by their manifest names.
    public enum Algorithm: String, Hashable, Sendable, CaseIterable {
      case crc32c = "CRC32C"
      case sha224 = "SHA224"
      case sha256 = "SHA256"
      case sha384 = "SHA384"
      case sha512 = "SHA512"

      /// The digest length in bytes.
      public var byteCount: Int {
        switch self {
        case .crc32c: 4
        case .sha224: 28
        case .sha256: 32
        case .sha384: 48
        case .sha512: 64
        }
      }
    }

    public var algorithm: Algorithm
    /// The digest as the manifest stores it. For CRC32C that is the 32-bit value's bytes in
    /// little-endian order: 0x36F1F87F is stored `7ff8f136`.
    public var bytes: [UInt8]

    public init(algorithm: Algorithm, bytes: [UInt8]) {
      self.algorithm = algorithm
      self.bytes = bytes
    }

    /// The digest in lowercase hex, as written in the manifest.
    public var hex: String { Hex.encode(bytes) }

    /// For CRC32C, the checksum as a number (comparable with `CRC32C.checksum`).
    public var crc32cValue: UInt32? {
      guard algorithm == .crc32c, bytes.count == 4 else { return nil }
      return bytes.reversed().reduce(0) { $0 << 8 | UInt32($1) }
    }
  }
}
