import Compiler
import Foundation
import PostgresClient
import Processes

/// `finish`: hands the promoted server over. It writes `postgresql.auto.conf` whole with
/// the payload's bytes (no restore settings), restarts the server with the step's
/// `pg_ctl restart` while it still runs with the restore's private socket (or does not run),
/// and checks that it answers on its port, as `pg_isready` would: the backup's own pg_hba.conf
/// may let pitr in no more, and a ping needs no authentication.
///
/// Finishing again after a crash writes the same bytes and restarts only a server still on
/// the restore's socket, so the step can always run again.
struct Finish {
  let payload: StepAction.Finish

  func run(_ step: Step, in context: StepContext) throws {
    let server = RestoredServer(connection: payload.connection, resolver: context.resolver)
    let data = payload.connection.dataDirectory
    let onRestoreSocket = server.isRunning && ServerSocket.directory(of: data) == payload.connection.socketDirectory
    if onRestoreSocket {
      guard try server.inRecovery() == false else {
        throw RunnerError("the server is still in recovery: pitr finishes only a promoted server")
      }
    } else if !server.isRunning {
      // Stopped since (a crash mid-restart): recovery.signal is gone once it promoted.
      for signal in ["recovery.signal", "standby.signal"]
      where FileManager.default.fileExists(atPath: "\(data)/\(signal)") {
        throw RunnerError(
          "\(data)/\(signal) is there, so the server never promoted: pitr finishes only a promoted "
            + "server; run pitr apply again to resume the restore")
      }
    }
    for file in payload.files { try WriteFiles.write(file) }
    if onRestoreSocket || !server.isRunning {
      context.observer.progress(step, "restarting the server with its finished settings")
      try restart(step, server: server, context: context)
    }
    try checkAnswers(server: server)
    let socket = ServerSocket.directory(of: data)
    context.observer.progress(
      step,
      "the server answers on port \(payload.port)" + (socket.map { $0.isEmpty ? "" : ", socket in \($0)" } ?? ""))
  }

  private func restart(_ step: Step, server: RestoredServer, context: StepContext) throws {
    guard let words = context.resolver.commandLine(of: step) else { return }
    let result = try ProcessRunner.run(words[0], Array(words.dropFirst()), timeout: payload.timeout)
    guard result.succeeded else {
      throw RunnerError(
        "the server did not restart with its finished settings: "
          + result.standardError.trimmingCharacters(in: .whitespacesAndNewlines)
          + "; \(payload.connection.dataDirectory)/postgresql.auto.conf holds them",
        logExcerpt: server.logTail())
    }
  }

  /// Waits until the server runs on the plan's port and answers there.
  private func checkAnswers(server: RestoredServer) throws {
    let data = payload.connection.dataDirectory
    let deadline = Date().addingTimeInterval(60)
    var lastProblem = "it does not run"
    while Date() < deadline {
      if server.isRunning, let fields = ServerSocket.pidFileFields(of: data) {
        let port = fields.count > 3 ? Int(fields[3]) : nil
        if port != payload.port {
          lastProblem = "it listens on port \(port.map(String.init) ?? "?"), not \(payload.port)"
        } else if let host = Self.pingHost(fields), PostgresConnection.ping(host: host, port: payload.port) {
          return
        } else {
          lastProblem = "it does not answer on port \(payload.port)"
        }
      }
      usleep(200_000)
    }
    throw RunnerError(
      "the server did not come back after its restart: \(lastProblem)", logExcerpt: server.logTail())
  }

  /// Where to ping: the socket directory, else the first listen address (`*` is this host).
  static func pingHost(_ fields: [String]) -> String? {
    let socket = fields.count > 4 ? fields[4].trimmingCharacters(in: .whitespaces) : ""
    if !socket.isEmpty { return socket }
    let address = fields.count > 5 ? fields[5].trimmingCharacters(in: .whitespaces) : ""
    switch address {
    case "": return nil
    case "*", "0.0.0.0": return "127.0.0.1"
    case "::": return "::1"
    default: return address
    }
  }
}
