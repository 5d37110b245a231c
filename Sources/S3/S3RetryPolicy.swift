import Foundation

/// How often and how patiently a request is retried after a 5xx, a 429, `SlowDown` or a
/// connection error: exponential backoff with jitter, a bounded number of attempts.
public struct S3RetryPolicy: Sendable, Equatable {
  /// Attempts in all, the first included (at least 1).
  public var maxAttempts: Int
  /// The delay after the first failure, in seconds; doubled after each further one.
  public var baseDelay: Double
  /// The longest delay, in seconds.
  public var maxDelay: Double

  public init(maxAttempts: Int, baseDelay: Double, maxDelay: Double) {
    self.maxAttempts = max(1, maxAttempts)
    self.baseDelay = baseDelay
    self.maxDelay = maxDelay
  }

  /// Five attempts, 0.2 s doubling up to 5 s (about 3 s in all before giving up).
  public static let standard = S3RetryPolicy(maxAttempts: 5, baseDelay: 0.2, maxDelay: 5)

  /// The variable naming how many attempts in all (for tests that stop the service).
  public static let attemptsVariable = "PITR_S3_ATTEMPTS"
  /// The variable naming the first delay in seconds (doubled after each further failure).
  public static let delayVariable = "PITR_S3_RETRY_DELAY"

  /// ``standard``, with its attempts and first delay replaced by `PITR_S3_ATTEMPTS` (1 to 20)
  /// and `PITR_S3_RETRY_DELAY` (seconds, 0 to 5) when `environment` sets them.
  public static func configured(_ environment: [String: String]) -> S3RetryPolicy {
    var policy = standard
    if let attempts = environment[attemptsVariable].flatMap({ Int($0) }) {
      policy.maxAttempts = min(20, max(1, attempts))
    }
    if let delay = environment[delayVariable].flatMap({ Double($0) }), delay.isFinite {
      policy.baseDelay = min(5, max(0, delay))
    }
    return policy
  }

  /// The delay before attempt `attempt + 1`: half fixed, half random ("equal jitter").
  func delay(afterAttempt attempt: Int) -> Double {
    let exponential = min(maxDelay, baseDelay * Double(1 << min(attempt - 1, 20)))
    return exponential / 2 + Double.random(in: 0...(exponential / 2))
  }

  /// Whether a response is worth another attempt: any 5xx, 429, or a `SlowDown` code.
  static func isRetryable(status: Int, code: String?) -> Bool {
    status >= 500 || status == 429 || code == "SlowDown" || code == "RequestTimeout"
  }
}
