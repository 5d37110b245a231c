/// What a finished program printed and how it exited.
public struct ProcessResult: Sendable {
  /// The exit status, or the signal number when `terminatedBySignal`.
  public var status: Int32
  /// Whether the program died of a signal (a crash, or the timeout's kill).
  public var terminatedBySignal: Bool
  /// Whether the timeout expired and the program was killed.
  public var timedOut: Bool
  /// What the program wrote to standard output (invalid UTF-8 repaired).
  public var standardOutput: String
  /// What the program wrote to standard error (invalid UTF-8 repaired).
  public var standardError: String

  /// A result with the given fields.
  public init(
    status: Int32, terminatedBySignal: Bool, timedOut: Bool, standardOutput: String,
    standardError: String
  ) {
    self.status = status
    self.terminatedBySignal = terminatedBySignal
    self.timedOut = timedOut
    self.standardOutput = standardOutput
    self.standardError = standardError
  }

  /// Whether the program ran to the end and exited with status 0.
  public var succeeded: Bool { status == 0 && !terminatedBySignal && !timedOut }
}
