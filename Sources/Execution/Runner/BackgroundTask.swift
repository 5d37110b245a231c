import Foundation

/// Work on its own thread whose end (and error) the runner waits for later.
final class BackgroundTask: @unchecked Sendable {
  private let done = DispatchSemaphore(value: 0)
  // Written once by the thread before `done` is signalled; read only after waiting on it.
  private var error: Error?

  func start(_ work: @escaping @Sendable () throws -> Void) {
    Thread {
      do { try work() } catch { self.error = error }
      self.done.signal()
    }.start()
  }

  /// Blocks until the work ends; returns its error, if any.
  func wait() -> Error? {
    done.wait()
    return error
  }
}
