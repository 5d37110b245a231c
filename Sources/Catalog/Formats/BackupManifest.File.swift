extension BackupManifest {
  /// One file of the backup, as the manifest lists it.
  public struct File: Hashable, Sendable {
    /// The path relative to the data directory, decoded; for an `Encoded-Path` that is not
    /// valid UTF-8, invalid bytes become U+FFFD (use `rawPath` to match them exactly).
    public var path: String
    /// The path's bytes: from `Path`, or decoded from the hex of `Encoded-Path`.
    public var rawPath: [UInt8]
    public var size: UInt64
    /// `Last-Modified`, always in GMT.
    public var lastModified: BackupTimestamp
    /// The file's checksum; `nil` when the backup was taken with `--manifest-checksums=NONE`.
    public var checksum: Checksum?

    public init(
      rawPath: [UInt8], size: UInt64, lastModified: BackupTimestamp, checksum: Checksum?
    ) {
      self.path = String(decoding: rawPath, as: UTF8.self)
      self.rawPath = rawPath
      self.size = size
      self.lastModified = lastModified
      self.checksum = checksum
    }
  }
}
