/// Counts the bytes written and decides when the caller's progress closure is due: no more
/// often than once per MiB and once per 200 ms, so a fast extraction reports about five times
/// a second and a slow one once per MiB.
struct ProgressMeter {
  /// The fewest bytes between two reports.
  static let byteInterval: Int64 = 1 << 20
  /// The shortest time between two reports.
  static let timeInterval = Duration.milliseconds(200)

  /// The bytes expected in all.
  var totalBytes: Int64
  /// The bytes written so far.
  private(set) var bytesWritten: Int64 = 0
  private var reportedBytes: Int64 = 0
  private var reportedAt: ContinuousClock.Instant

  /// Starts counting towards `totalBytes` at `start`.
  init(totalBytes: Int64, start: ContinuousClock.Instant = .now) {
    self.totalBytes = totalBytes
    reportedAt = start
  }

  /// Counts `count` more bytes written to `file`, at `now`.
  ///
  /// - Returns: The progress to report, when a report is due.
  mutating func add(
    _ count: Int, file: String, now: @autoclosure () -> ContinuousClock.Instant = .now
  ) -> ExtractionProgress? {
    bytesWritten += Int64(count)
    guard bytesWritten - reportedBytes >= Self.byteInterval else { return nil }
    let now = now()
    guard now - reportedAt >= Self.timeInterval else { return nil }
    reportedBytes = bytesWritten
    reportedAt = now
    return ExtractionProgress(bytesWritten: bytesWritten, totalBytes: totalBytes, currentFile: file)
  }

  /// The last report, once everything is written: the total is then what was written.
  func final(file: String) -> ExtractionProgress {
    ExtractionProgress(bytesWritten: bytesWritten, totalBytes: bytesWritten, currentFile: file)
  }
}
