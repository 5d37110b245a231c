import Foundation
import Testing
import _PITRTestSupport

/// The runner labs rely on: daemons a program leaves behind do not hold it up, no descriptor
/// leaks into children, and the timeout kills the program's whole process group.
@Suite(.enabled(if: FileManager.default.fileExists(atPath: "/proc/self/fd")))
struct ProcessRunnerTests {
  @Test func reportsStatusAndBothOutputs() throws {
    let result = try ProcessRunner.run("/bin/sh", ["-c", "echo out; echo err >&2; exit 3"])
    #expect(result.status == 3)
    #expect(!result.terminatedBySignal && !result.timedOut && !result.succeeded)
    #expect(result.standardOutput == "out\n")
    #expect(result.standardError == "err\n")
  }

  @Test func addsEnvironmentVariables() throws {
    let result = try ProcessRunner.run(
      "/bin/sh", ["-c", "echo \"$PITR_LAB_TEST\""], environment: ["PITR_LAB_TEST": "yes"])
    #expect(result.standardOutput == "yes\n")
    #expect(result.succeeded)
  }

  @Test func refusesAProgramThatDoesNotExist() {
    let error = #expect(throws: ProcessError.self) {
      try ProcessRunner.run("/nonexistent/program", [])
    }
    #expect(error?.description == "cannot run /nonexistent/program: No such file or directory")
  }

  @Test func returnsWhileABackgroundChildStillRuns() throws {
    let started = ContinuousClock.now
    let result = try ProcessRunner.run("/bin/sh", ["-c", "sleep 30 & echo $!"], timeout: 20)
    #expect(ContinuousClock.now - started < .seconds(5))
    #expect(result.succeeded)
    let pid = try #require(
      Int32(result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)))
    kill(pid, SIGKILL)
  }

  @Test func childrenInheritOnlyTheStandardDescriptors() throws {
    // A descriptor this process opened without close-on-exec.
    let descriptor = open("/dev/null", O_RDONLY)
    defer { close(descriptor) }
    #expect(descriptor > 2)
    let result = try ProcessRunner.run("/bin/sh", ["-c", "ls /proc/$$/fd"])
    let open = result.standardOutput.split(separator: "\n").compactMap { Int32($0) }
    #expect(open.contains(0) && open.contains(1) && open.contains(2))
    #expect(!open.contains(descriptor), "\(open)")
  }

  @Test func timeoutKillsTheProcessGroup() throws {
    let directory = try TemporaryDirectory("runner-timeout")
    defer { directory.remove() }
    let pidFile = directory.file("pid")
    let started = ContinuousClock.now
    let result = try ProcessRunner.run(
      "/bin/sh", ["-c", "sleep 60 & echo $! > \(pidFile); wait"], timeout: 0.5)
    #expect(ContinuousClock.now - started < .seconds(10))
    #expect(result.timedOut)
    #expect(result.terminatedBySignal && result.status == SIGKILL)
    let text = try String(contentsOfFile: pidFile, encoding: .utf8)
    let grandchild = try #require(Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)))
    // The background sleep was in the group: it dies too (a zombie counts as dead).
    var alive = true
    for _ in 0..<200 where alive {
      alive = Self.isAlive(grandchild)
      if alive { usleep(5_000) }
    }
    #expect(!alive)
    if alive { kill(grandchild, SIGKILL) }
  }

  /// Whether `pid` is a live process (not a zombie).
  static func isAlive(_ pid: Int32) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
      let close = stat.lastIndex(of: ")")
    else { return false }
    let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first
    return state != "Z" && state != "X"
  }
}
