/// How far an extraction has come, as reported to the caller's progress closure.
public struct ExtractionProgress: Hashable, Sendable {
  /// The bytes written into the destination so far.
  public var bytesWritten: Int64
  /// The bytes the extraction is expected to write in all: the manifest's file sizes plus
  /// the WAL archive's size, or the archives' sizes on disk without a manifest. An estimate:
  /// ``bytesWritten`` may end a little above or below it.
  public var totalBytes: Int64
  /// The file being written, relative to the data directory (`base/1/1259`,
  /// `pg_wal/000000010000000000000002`, `pg_tblspc/16384/PG_15_202209061/…`).
  public var currentFile: String

  public init(bytesWritten: Int64, totalBytes: Int64, currentFile: String) {
    self.bytesWritten = bytesWritten
    self.totalBytes = totalBytes
    self.currentFile = currentFile
  }
}
