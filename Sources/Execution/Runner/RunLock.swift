import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// The lock beside the data directory (`<state>/lock`): two runs never act on one
/// destination at once. It holds the owner's process id; a lock whose process is gone is
/// stale and is taken over.
public final class RunLock {
  public let path: String
  private var held = false

  /// Why the lock could not be taken.
  public struct Held: Error, CustomStringConvertible {
    public var path: String
    public var pid: Int32
    public var description: String {
      "another pitr run (process \(pid)) is restoring into this destination (lock \(path)); "
        + "wait for it, or stop it"
    }
  }

  /// The lock files this process holds. A lock file naming this process is stale when no
  /// lock of this process holds it (left by an earlier process that had the same id), but
  /// held when one does: another run in this same process.
  nonisolated(unsafe) private static var heldHere: Set<String> = []
  private static let heldHereLock = NSLock()

  public init(stateDirectory: String) {
    path = "\(stateDirectory)/lock"
  }

  /// Takes the lock, or throws `Held` naming the live process that has it.
  public func acquire() throws {
    // The lock file appears with the process id already in it (a new file linked into
    // place), so no other run ever reads it empty and takes it for stale.
    let written = "\(path).\(getpid()).\(UUID().uuidString)"
    let descriptor = open(written, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else {
      throw RunnerError("cannot create the lock \(path): \(String(cString: strerror(errno)))")
    }
    let text = "\(getpid())\n"
    _ = text.withCString { write(descriptor, $0, strlen($0)) }
    close(descriptor)
    defer { unlink(written) }
    for _ in 0..<2 {
      if link(written, path) == 0 {
        held = true
        _ = Self.heldHereLock.withLock { Self.heldHere.insert(path) }
        return
      }
      guard errno == EEXIST else {
        throw RunnerError("cannot create the lock \(path): \(String(cString: strerror(errno)))")
      }
      let owner = (try? String(contentsOfFile: path, encoding: .utf8))
        .flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
      if let owner, owner != getpid(), Self.isLive(owner) {
        throw Held(path: path, pid: owner)
      }
      if owner == getpid(), Self.heldHereLock.withLock({ Self.heldHere.contains(path) }) {
        throw Held(path: path, pid: getpid())
      }
      unlink(path)  // stale: its process is gone
    }
    throw RunnerError("cannot take the lock \(path)")
  }

  /// The live process holding the lock in `stateDirectory`, or nil when none does (no
  /// lock, or its process is gone: the run was interrupted).
  public static func holder(stateDirectory: String) -> Int32? {
    let owner = (try? String(contentsOfFile: "\(stateDirectory)/lock", encoding: .utf8))
      .flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    guard let owner, isLive(owner) else { return nil }
    return owner
  }

  /// Whether process `pid` exists and has not ended: a process killed a moment ago stays a
  /// zombie (state `Z` in `/proc/PID/stat`) until its parent reaps it, and holds nothing.
  static func isLive(_ pid: Int32) -> Bool {
    guard kill(pid, 0) == 0 || errno == EPERM else { return false }
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
      let end = stat.lastIndex(of: ")")
    else { return true }
    return stat[stat.index(after: end)...].trimmingCharacters(in: .whitespaces).first != "Z"
  }

  public func release() {
    guard held else { return }
    unlink(path)
    held = false
    _ = Self.heldHereLock.withLock { Self.heldHere.remove(path) }
  }

  deinit { release() }
}

/// A failure of the executor, said in plain words.
public struct RunnerError: Error, CustomStringConvertible {
  public var description: String
  /// Lines of the server log that explain it, when there are some.
  public var logExcerpt: [String]

  public init(_ description: String, logExcerpt: [String] = []) {
    self.description = description
    self.logExcerpt = logExcerpt
  }
}
