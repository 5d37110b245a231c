import Compiler
import Execution
import Foundation

/// Shows a run on standard error: one line per step, progress rewritten in place on a
/// terminal (and at most every few seconds otherwise, so logs stay short).
final class TerminalRunObserver: RunObserver {
  private let isTerminal = Terminal.isTerminal(STDERR_FILENO)
  private var progressShown = false
  private var lastProgressTime = Date.distantPast
  private let started = Date()

  func stepStarted(_ step: Step) {
    clearProgress()
    Terminal.writeError("\(elapsed) \(step.id): \(step.summary)\n")
  }

  func stepFinished(_ step: Step, skipped: Bool) {
    clearProgress()
    if skipped { Terminal.writeError("\(elapsed) \(step.id): already done in an earlier run\n") }
  }

  func progress(_ step: Step, _ message: String) {
    if isTerminal {
      Terminal.writeError("\r\u{1B}[K    \(message)")
      progressShown = true
    } else if Date().timeIntervalSince(lastProgressTime) >= 5 {
      Terminal.writeError("    \(message)\n")
      lastProgressTime = Date()
    }
  }

  func note(_ message: String) {
    clearProgress()
    Terminal.writeError("    \(message)\n")
  }

  private func clearProgress() {
    guard progressShown else { return }
    Terminal.writeError("\r\u{1B}[K")
    progressShown = false
  }

  /// Seconds since the run began, as `[  12.3s]`.
  private var elapsed: String {
    let seconds = Date().timeIntervalSince(started)
    let text = String(format: "%.1fs", seconds)
    return "[" + String(repeating: " ", count: max(0, 7 - text.count)) + text + "]"
  }
}

/// Shows a run as JSON lines on standard output, one event per line, for automation.
final class JSONRunObserver: RunObserver {
  struct Event: Encodable {
    var event: String
    var step: String?
    var message: String?
    /// The numbers behind a `progress` message.
    var done: UInt64?
    var total: UInt64?
    var unit: String?
    var time: Double
  }

  private let encoder: JSONEncoder = {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return encoder
  }()

  func stepStarted(_ step: Step) { emit("step-started", step: step.id, message: step.summary) }
  func stepFinished(_ step: Step, skipped: Bool) { emit(skipped ? "step-skipped" : "step-finished", step: step.id) }
  func progress(_ step: Step, _ message: String) { emit("progress", step: step.id, message: message) }
  func progress(_ step: Step, _ message: String, measure: ProgressMeasure) {
    emit("progress", step: step.id, message: message, measure: measure)
  }
  func note(_ message: String) { emit("note", message: message) }

  func emit(_ event: String, step: String? = nil, message: String? = nil, measure: ProgressMeasure? = nil) {
    let value = Event(
      event: event, step: step, message: message, done: measure?.done, total: measure?.total,
      unit: measure?.unit.rawValue, time: Date().timeIntervalSince1970)
    guard let data = try? encoder.encode(value) else { return }
    Terminal.write(String(decoding: data, as: UTF8.self) + "\n")
  }
}

/// Passes a run on to another observer and times its steps, for the final report.
final class StepTimingObserver: RunObserver {
  private let inner: RunObserver
  private var started: [String: Date] = [:]
  private(set) var steps: [StepTime] = []

  init(_ inner: RunObserver) { self.inner = inner }

  func stepStarted(_ step: Step) {
    started[step.id] = Date()
    inner.stepStarted(step)
  }

  func stepFinished(_ step: Step, skipped: Bool) {
    let seconds = started[step.id].map { Date().timeIntervalSince($0) } ?? 0
    steps.append(StepTime(id: step.id, seconds: (seconds * 1000).rounded() / 1000, skipped: skipped))
    inner.stepFinished(step, skipped: skipped)
  }

  func progress(_ step: Step, _ message: String) { inner.progress(step, message) }
  func progress(_ step: Step, _ message: String, measure: ProgressMeasure) {
    inner.progress(step, message, measure: measure)
  }
  func note(_ message: String) { inner.note(message) }
}
