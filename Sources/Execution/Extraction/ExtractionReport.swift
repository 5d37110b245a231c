/// What an extraction wrote.
public struct ExtractionReport: Hashable, Sendable {
  /// The regular files written (hard links count as files).
  public var files: Int
  /// The bytes written.
  public var bytes: Int64
  /// The files checked against `backup_manifest`: their size, and their checksum when the
  /// manifest has one.
  public var verifiedFiles: Int
  /// The files written directly into `pg_wal/`, in the order they were written: the
  /// segments the backup carries (and the history files of later timelines).
  public var walSegments: [String]
  /// How long the final flush to disk took, in seconds (0 when there was none): the part of
  /// the disk's work that did not overlap with extraction.
  public var flushSeconds: Double

  public init(
    files: Int = 0, bytes: Int64 = 0, verifiedFiles: Int = 0, walSegments: [String] = [],
    flushSeconds: Double = 0
  ) {
    self.files = files
    self.bytes = bytes
    self.verifiedFiles = verifiedFiles
    self.walSegments = walSegments
    self.flushSeconds = flushSeconds
  }
}
