import Compiler

/// Hears what a run does, to show it: a terminal printer, JSON events, or a test.
public protocol RunObserver: AnyObject {
  func stepStarted(_ step: Step)
  func stepFinished(_ step: Step, skipped: Bool)
  /// Progress within a long step (extraction, replay), replacing the previous message.
  func progress(_ step: Step, _ message: String)
  /// The same with the numbers behind the message, for observers that keep them (JSON);
  /// by default only the message is passed on.
  func progress(_ step: Step, _ message: String, measure: ProgressMeasure)
  /// Something worth saying (a check's result, the prediction compared).
  func note(_ message: String)
}

extension RunObserver {
  public func progress(_ step: Step, _ message: String, measure: ProgressMeasure) { progress(step, message) }
}

/// How far a long step is, in numbers: bytes written of an estimated total while
/// extracting, the replayed WAL position against the predicted stop while recovering.
public struct ProgressMeasure: Sendable, Hashable, Codable {
  public enum Unit: String, Sendable, Codable {
    /// Bytes written into the destination.
    case bytes
    /// WAL positions (LSNs as byte offsets in the WAL stream).
    case walPosition = "wal-position"
  }

  public var done: UInt64
  /// The expected end: an estimate for bytes, the predicted stop for WAL; nil when unknown.
  public var total: UInt64?
  public var unit: Unit

  public init(done: UInt64, total: UInt64?, unit: Unit) {
    self.done = done
    self.total = total
    self.unit = unit
  }
}

/// The outcome of a run that did not fail.
public struct RunReport: Sendable, Codable {
  public enum Outcome: String, Sendable, Codable {
    case promoted, paused
    case shutDown = "shut-down"
    case checksFailed = "checks-failed"
  }

  public struct CheckResult: Sendable, Codable {
    public var label: String
    public var passed: Bool
    /// What the query returned, as text rows (SQL NULL as `null`).
    public var actual: [[String?]]
    public var problem: String?
  }

  public var outcome: Outcome
  /// The `recovery stopping …` line PostgreSQL logged, and the one pitr predicted (its times
  /// in the server's timezone, as PostgreSQL writes them).
  public var loggedStop: String?
  public var predictedStop: String?
  public var checks: [CheckResult]
  public var serverLog: String

  /// Whether PostgreSQL stopped where pitr predicted: the same stop (kind, transaction or
  /// restore point, LSN, instant), however its time or LSN is written.
  public var predictionMatched: Bool { RecoveryStop.sameStop(loggedStop, predictedStop) }
}
