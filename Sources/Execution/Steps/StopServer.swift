import Compiler
import Foundation
import Processes

/// `stop-server`: the server stopped at the target by itself (`recovery_target_action =
/// shutdown`, followed by `await-target`); this step records the outcome. With a command
/// (`pitr advance`), it stops the paused server first and sets its log aside, so the next
/// start's recovery messages are read from a fresh log.
struct StopServer {
  let payload: StepAction.StopServer

  func run(_ step: Step, in context: StepContext) throws {
    guard payload.command != nil else {
      context.updateReport { $0.outcome = .shutDown }
      return
    }
    let server = RestoredServer(connection: payload.connection, resolver: context.resolver)
    if server.isRunning, let words = context.resolver.commandLine(of: step) {
      let result = try ProcessRunner.run(words[0], Array(words.dropFirst()), timeout: 120)
      guard result.succeeded || !server.isRunning else {
        throw RunnerError(
          "the server did not stop: \(result.standardError.trimmingCharacters(in: .whitespacesAndNewlines))",
          logExcerpt: server.logTail())
      }
    }
    if let keep = payload.keepLogAs { try Self.setAside(server.logPath, appendingTo: keep) }
  }

  /// Appends the log to `keep` and removes it.
  static func setAside(_ log: String, appendingTo keep: String) throws {
    guard let data = FileManager.default.contents(atPath: log) else { return }
    if let handle = FileHandle(forWritingAtPath: keep) {
      defer { try? handle.close() }
      try handle.seekToEnd()
      try handle.write(contentsOf: data)
    } else {
      try data.write(to: URL(fileURLWithPath: keep))
    }
    try FileManager.default.removeItem(atPath: log)
  }
}
