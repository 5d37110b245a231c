import Foundation
import Testing

@testable import Execution

/// A pitr killed with SIGKILL leaves pg_combinebackup (and the runuser above it) running in
/// their process group; the next run stops that group, named in `<state>/combine.pgid`,
/// before clearing what it writes, and only when the process there is still the one started.
@Suite struct CombineLeftoverTests {
  /// `sleep 60` in a process group of its own, as ProcessRunner's children are.
  private func leader() throws -> pid_t {
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
    posix_spawnattr_setpgroup(&attributes, 0)
    let words: [String] = ["/bin/sleep", "60"]
    let argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
    defer { for pointer in argv { free(pointer) } }
    var pid: pid_t = 0
    try #require(posix_spawn(&pid, "/bin/sleep", nil, &attributes, argv, environ) == 0)
    return pid
  }

  /// How `pid` ended: the signal that killed it, or nil when it exited.
  private func signal(ending pid: pid_t) -> Int32? {
    var status: Int32 = 0
    _ = waitpid(pid, &status, 0)
    return status & 0x7f == 0 ? nil : status & 0x7f
  }

  private func groupFile(_ text: String) throws -> String {
    let path = NSTemporaryDirectory() + "/pitr-combine-\(UUID().uuidString).pgid"
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  @Test func theRecordedGroupIsStoppedAndTheFileRemoved() throws {
    let pid = try leader()
    let started = try #require(CombineBackups.startTime(of: pid))
    let file = try groupFile("\(pid) \(started)\n")
    // Reaped as soon as it dies (a leftover's parent is gone, so init reaps it): a zombie
    // would still count in its group.
    let ended = DispatchSemaphore(value: 0)
    nonisolated(unsafe) var ending: Int32?
    Thread.detachNewThread {
      ending = signal(ending: pid)
      ended.signal()
    }

    #expect(CombineBackups.stopLeftover(groupFile: file) == pid)

    ended.wait()
    #expect(ending == SIGKILL)
    #expect(!FileManager.default.fileExists(atPath: file))
  }

  @Test func aProcessStartedAtAnotherTimeIsLeftAlone() throws {
    let pid = try leader()
    defer {
      kill(pid, SIGKILL)
      _ = signal(ending: pid)
    }
    let file = try groupFile("\(pid) 1\n")

    #expect(CombineBackups.stopLeftover(groupFile: file) == nil)

    #expect(kill(pid, 0) == 0)
    #expect(!FileManager.default.fileExists(atPath: file))
  }

  @Test func noFileMeansNothingToStop() {
    #expect(CombineBackups.stopLeftover(groupFile: NSTemporaryDirectory() + "/pitr-absent-\(UUID().uuidString)") == nil)
  }
}
