import Foundation
import PlanModel
import SSH
import Storage

/// The store factory: which `RepositoryStore` reads each of the plan's locations, built once
/// per run and installed (`RepositoryStores.install`) for the catalog and the executor, which
/// never depend on the SSH or S3 modules themselves.
///
/// A folder here reads through `LocalStore`; `ssh://[user@]host[:port]/path` through an
/// `SSHStore`, one per host (one `ssh` ControlMaster connection for the whole run, connected
/// first so an unreachable host or a refused key is told before anything is read, and
/// closed when pitr exits). `ssh` reads the user's `~/.ssh/config`, or the file named by
/// `PITR_SSH_CONFIG` (passed as `ssh -F`). S3 locations are still refused by the compiler.
enum RunStores {
  /// The environment variable naming an ssh configuration file to use instead of
  /// `~/.ssh/config`.
  static let configVariable = "PITR_SSH_CONFIG"

  nonisolated(unsafe) private static var sessions: [String: SSHStore] = [:]
  nonisolated(unsafe) private static var closesAtExit = false

  /// Makes and installs the stores `locations` need; an error at each remote location whose
  /// host cannot be used (unreachable, host key unknown, login refused), located at its key.
  static func prepare(_ locations: [Located<RepositoryLocation>]) -> [Diagnostic] {
    var problems: [Diagnostic] = []
    var failed = Set<String>()
    for location in locations {
      guard case .ssh(let user, let host, let port, _) = location.value else { continue }
      // One error per host, at its first key.
      guard !failed.contains(SSHHost(user: user, host: host, port: port).description) else { continue }
      do {
        _ = try sshStore(SSHHost(user: user, host: host, port: port))
      } catch {
        failed.insert(SSHHost(user: user, host: host, port: port).description)
        problems.append(.error("cannot read \(location.value): \(reason(error))", at: location.location))
      }
    }
    install()
    return problems
  }

  /// Makes and installs the stores for location texts (`pitr wal-fetch --wal`).
  ///
  /// - Throws: The first host's error.
  static func prepare(texts: [String]) throws {
    for text in texts {
      guard case .ssh(let user, let host, let port, _) = RepositoryLocation(canonical: text) else {
        continue
      }
      _ = try sshStore(SSHHost(user: user, host: host, port: port))
    }
    install()
  }

  /// The plan's base and WAL locations.
  static func locations(of backups: Backups) -> [Located<RepositoryLocation>] {
    [backups.baseLocation] + backups.walLocations
  }

  /// The connected store for `host`, made once per run.
  private static func sshStore(_ host: SSHHost) throws -> SSHStore {
    if let store = sessions[host.description] { return store }
    var options = SSHOptions()
    if let config = ProcessInfo.processInfo.environment[configVariable], !config.isEmpty {
      options.configFile = config
    }
    let store = SSHStore(session: try SSHSession(host: host, options: options))
    do {
      try store.connect()
    } catch {
      store.close()
      throw error
    }
    sessions[host.description] = store
    if !closesAtExit {
      closesAtExit = true
      atexit { RunStores.closeAll() }
    }
    return store
  }

  private static func install() {
    RepositoryStores.install(RepositoryStores(remotes: sessions.mapValues { $0 as any RepositoryStore }))
  }

  /// Ends every connection this run opened.
  static func closeAll() {
    for store in sessions.values { store.close() }
    sessions = [:]
  }

  /// The sentence of a store's or ssh's error, without the `cannot read PATH:` prefix.
  private static func reason(_ error: any Error) -> String {
    if let error = error as? StorageError { return error.reason }
    return "\(error)"
  }
}
