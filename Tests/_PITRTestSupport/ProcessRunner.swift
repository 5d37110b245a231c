import Foundation

/// What a finished program printed and how it exited.
public struct ProcessResult: Sendable {
  /// The exit status, or the signal number when `terminatedBySignal`.
  public var status: Int32
  /// Whether the program died of a signal (a crash, or the timeout's kill).
  public var terminatedBySignal: Bool
  /// Whether the timeout expired and the program was killed.
  public var timedOut: Bool
  public var standardOutput: String
  public var standardError: String
}

/// Runs programs for tests.
public enum ProcessRunner {
  /// Runs `executable` with `arguments` to completion; `environment` entries are added to (or
  /// override) this process's. Output goes through temporary files, so a chatty child can
  /// never block on a full pipe. After `timeout` seconds the program is killed.
  public static func run(
    _ executable: String, _ arguments: [String], environment: [String: String] = [:],
    timeout: Double = 60
  ) throws -> ProcessResult {
    let directory = try TemporaryDirectory("process")
    defer { directory.remove() }
    let outputPath = directory.file("stdout")
    let errorPath = directory.file("stderr")
    _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
    _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
    let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
    let error = try FileHandle(forWritingTo: URL(fileURLWithPath: errorPath))
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    process.standardOutput = output
    process.standardError = error
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let deadline = Date().addingTimeInterval(timeout)
    var timedOut = false
    while process.isRunning {
      if Date() > deadline {
        timedOut = true
        process.terminate()
        kill(process.processIdentifier, SIGKILL)
        break
      }
      usleep(2_000)
    }
    process.waitUntilExit()
    try output.close()
    try error.close()
    return ProcessResult(
      status: process.terminationStatus,
      terminatedBySignal: process.terminationReason == .uncaughtSignal, timedOut: timedOut,
      standardOutput: (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "",
      standardError: (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "")
  }
}
