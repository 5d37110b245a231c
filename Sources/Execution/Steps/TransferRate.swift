import Compiler
import Foundation

/// Turns extraction progress into a line with the bytes done, the rate and the time left:
/// "412.0 MiB of 1.2 GiB (34%), 85.3 MiB/s, about 10 s left".
final class TransferRate {
  private let started: Date

  init(started: Date = Date()) { self.started = started }

  func describe(_ progress: ExtractionProgress, now: Date = Date()) -> String {
    let done = progress.bytesWritten
    let total = max(progress.totalBytes, done)
    var text = "\(ByteCount.describe(done)) of \(ByteCount.describe(total))"
    if total > 0 { text += " (\(done * 100 / total)%)" }
    let seconds = now.timeIntervalSince(started)
    if seconds >= 0.5, done > 0 {
      let rate = Double(done) / seconds
      text += ", \(ByteCount.describe(Int64(rate)))/s"
      if total > done { text += ", about \(Self.duration((Double(total - done) / rate).rounded(.up))) left" }
    }
    return text
  }

  /// "45 s", "3 min 20 s", "1 h 5 min".
  static func duration(_ seconds: Double) -> String {
    let whole = Int(seconds)
    if whole < 60 { return "\(whole) s" }
    if whole < 3600 { return "\(whole / 60) min" + (whole % 60 == 0 ? "" : " \(whole % 60) s") }
    return "\(whole / 3600) h" + (whole % 3600 / 60 == 0 ? "" : " \(whole % 3600 / 60) min")
  }
}
