import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Runs programs to completion: `pg_ctl`, `runuser`, `pg_ctl --version`; and, in tests, `psql`,
/// `pg_waldump` and the `pitr` executable itself.
///
/// Every program runs in a process group of its own and inherits no descriptor but standard
/// input (`/dev/null`), output and error, so programs that leave daemons behind (`pg_ctl
/// start`) return as soon as they exit; see ``SpawnedProcess``.
public enum ProcessRunner {
  /// Runs `executable` (a path) with `arguments` to completion.
  ///
  /// `environment` entries are added to (or override) this process's. Output goes through
  /// temporary files, so a chatty child can never block on a full pipe.
  ///
  /// After `timeout` seconds the program and everything in its process group are killed with
  /// `SIGKILL`, and the result says `timedOut`. Daemons that left the group (`setsid`) are
  /// not touched.
  ///
  /// - Throws: ``ProcessError`` when the program cannot be started.
  public static func run(
    _ executable: String, _ arguments: [String], environment: [String: String] = [:],
    timeout: Double = 60
  ) throws -> ProcessResult {
    try run(executable, arguments, environment: environment, timeout: timeout, started: nil)
  }

  /// Runs `executable` as ``run(_:_:environment:timeout:)`` does, and calls `started` with the
  /// child's process ID (also its process group's) as soon as it runs.
  public static func run(
    _ executable: String, _ arguments: [String], environment: [String: String] = [:],
    timeout: Double, started: ((Int32) -> Void)?
  ) throws -> ProcessResult {
    var template = Array("\(NSTemporaryDirectory())/pitr-process-XXXXXX".utf8CString)
    guard let created = mkdtemp(&template) else {
      throw ProcessError("cannot create a temporary directory (errno \(errno))")
    }
    let directory = String(cString: created)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let outputPath = directory + "/stdout"
    let errorPath = directory + "/stderr"
    let output = open(outputPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    let error = open(errorPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    defer {
      if output >= 0 { _ = close(output) }
      if error >= 0 { _ = close(error) }
    }
    guard output >= 0, error >= 0 else {
      throw ProcessError("cannot create output files in \(directory) (errno \(errno))")
    }
    let variables = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let child = try SpawnedProcess(
      executable: executable, arguments: arguments,
      environment: variables.map { "\($0.key)=\($0.value)" }, output: output, error: error)
    started?(child.pid)

    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: .milliseconds(Int64(max(timeout, 0) * 1000)))
    var pause: useconds_t = 500
    var timedOut = false
    var ending = try child.poll()
    while ending == nil {
      if clock.now >= deadline {
        timedOut = true
        child.killGroup()
        ending = try child.wait()
        break
      }
      usleep(pause)
      pause = min(pause * 2, 10_000)
      ending = try child.poll()
    }
    guard let ending else { throw ProcessError("\(executable) ended without a status") }
    return ProcessResult(
      status: ending.status, terminatedBySignal: ending.bySignal, timedOut: timedOut,
      standardOutput: read(outputPath), standardError: read(errorPath))
  }

  /// A file's bytes as UTF-8 text, invalid sequences repaired.
  private static func read(_ path: String) -> String {
    String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self)
  }
}
