import Foundation
import Storage

/// Installs a test's remote stores beside the ones other tests installed.
///
/// ``RepositoryStores/current`` is one value for the whole process, and the test process runs
/// suites of every module side by side: a test that installed only its own stores, then
/// `.local` when done, took away another suite's stores in the middle of its reads. Here each
/// test adds its prefixes to what is installed and removes only those; a test whose prefix
/// another one holds (the same bucket name on another moto_server) waits for it.
public enum SharedStores {
  private static let condition = NSCondition()
  nonisolated(unsafe) private static var held: Set<String> = []

  /// The prefixes one test installed; ``remove()`` takes them away again.
  public struct Installation {
    let prefixes: Set<String>

    /// Removes this test's stores, leaving the other tests' ones.
    public func remove() {
      condition.lock()
      var left = RepositoryStores.current.remotes
      for prefix in prefixes { left[prefix] = nil }
      RepositoryStores.install(RepositoryStores(remotes: left))
      held.subtract(prefixes)
      condition.broadcast()
      condition.unlock()
    }
  }

  /// Installs `remotes` beside the stores of the other running tests (waiting while another
  /// test holds one of their prefixes); call ``Installation/remove()`` when done.
  public static func install(_ remotes: [String: any RepositoryStore]) -> Installation {
    condition.lock()
    while !held.isDisjoint(with: remotes.keys) { condition.wait() }
    held.formUnion(remotes.keys)
    RepositoryStores.install(
      RepositoryStores(remotes: RepositoryStores.current.remotes.merging(remotes) { $1 }))
    condition.unlock()
    return Installation(prefixes: Set(remotes.keys))
  }

  /// Runs `body` with `remotes` installed beside the stores of the other running tests.
  public static func with<Result>(
    _ remotes: [String: any RepositoryStore], _ body: () throws -> Result
  ) rethrows -> Result {
    let installation = install(remotes)
    defer { installation.remove() }
    return try body()
  }
}
