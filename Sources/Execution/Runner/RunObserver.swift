import Compiler

/// Hears what a run does, to show it: a terminal printer, JSON events, or a test.
public protocol RunObserver: AnyObject {
  func stepStarted(_ step: Step)
  func stepFinished(_ step: Step, skipped: Bool)
  /// Progress within a long step (extraction, replay), replacing the previous message.
  func progress(_ step: Step, _ message: String)
  /// Something worth saying (a check's result, the prediction compared).
  func note(_ message: String)
}

/// The outcome of a run that did not fail.
public struct RunReport: Sendable, Codable {
  public enum Outcome: String, Sendable, Codable {
    case promoted, paused, shutDown = "shut-down", checksFailed = "checks-failed"
  }

  public struct CheckResult: Sendable, Codable {
    public var label: String
    public var passed: Bool
    /// What the query returned, as text rows (SQL NULL as `null`).
    public var actual: [[String?]]
    public var problem: String?
  }

  public var outcome: Outcome
  /// The `recovery stopping …` line PostgreSQL logged, and the one pitr predicted.
  public var loggedStop: String?
  public var predictedStop: String?
  public var checks: [CheckResult]
  public var serverLog: String

  public var predictionMatched: Bool { loggedStop == predictedStop }
}
