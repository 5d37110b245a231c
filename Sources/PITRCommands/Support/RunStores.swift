import Foundation
import PlanModel
import S3
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
/// `PITR_SSH_CONFIG` (passed as `ssh -F`). `s3://bucket/prefix` reads through an `S3Store`,
/// one per bucket, configured by the plan's `backups.s3:` block over the standard places, with
/// credentials only from the environment or the shared credentials files (never the plan), and
/// each prefix probed (one listing request) so that missing credentials, a refused key, a
/// missing bucket or prefix and an unreachable endpoint are told at their key first.
enum RunStores {
  /// The environment variable naming an ssh configuration file to use instead of
  /// `~/.ssh/config`.
  static let configVariable = "PITR_SSH_CONFIG"

  nonisolated(unsafe) private static var sessions: [String: SSHStore] = [:]
  nonisolated(unsafe) private static var closesAtExit = false
  nonisolated(unsafe) private static var buckets: [String: S3Store] = [:]
  /// For `pitr wal-fetch`: the restore's folder for the connections its calls share
  /// (`<spool>/ssh`, ``SharedControlPath``); nil for a connection of this run only.
  nonisolated(unsafe) static var sharedControlFolder: String?
  /// For `pitr apply` and `pitr advance`: the shared connections the restored server's
  /// `pitr wal-fetch` calls opened, ended when pitr exits (folder and host).
  nonisolated(unsafe) private static var sharedToEnd: [(folder: String, host: SSHHost)] = []

  /// Makes and installs the stores `locations` need; an error at each remote location whose
  /// host cannot be used (unreachable, host key unknown, login refused), located at its key.
  static func prepare(
    _ locations: [Located<RepositoryLocation>], s3: S3Options? = nil,
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) -> [Diagnostic] {
    var problems: [Diagnostic] = []
    var failed = Set<String>()
    // S3 first, one error per bucket: a missing credential is told before any host is reached.
    for location in locations {
      guard case .s3(let bucket, _) = location.value, !failed.contains("s3://" + bucket) else { continue }
      do {
        try s3Store(bucket, s3: S3Settings(s3), environment: environment).probe(location.value.description)
      } catch {
        failed.insert("s3://" + bucket)
        problems.append(.error("cannot read \(location.value): \(reason(error))", at: location.location))
      }
    }
    if !problems.isEmpty {
      install()
      return problems
    }
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
  static func prepare(
    texts: [String], s3: S3Settings = S3Settings(),
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) throws {
    for text in texts {
      if case .s3(let bucket, _) = RepositoryLocation(canonical: text) {
        do {
          _ = try s3Store(bucket, s3: s3, environment: environment)
        } catch let error as S3Error {
          throw StorageError(.denied, path: text, reason: error.description)
        }
        continue
      }
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
    let options = sshOptions()
    let session: SSHSession
    if let folder = sharedControlFolder, let path = SharedControlPath.path(for: host, in: folder, create: true) {
      session = try SSHSession(host: host, options: options, sharedControlPath: path)
    } else {
      session = try SSHSession(host: host, options: options)
    }
    let store = SSHStore(session: session)
    do {
      // A shared connection (wal-fetch) is checked by its first real command: one less.
      if sharedControlFolder == nil { try store.connect() }
    } catch {
      store.close()
      throw error
    }
    sessions[host.description] = store
    closeAtExit()
    return store
  }

  private static func closeAtExit() {
    if !closesAtExit {
      closesAtExit = true
      atexit { RunStores.closeAll() }
    }
  }

  /// Ends, when pitr exits, the connections the restored server's `pitr wal-fetch` calls
  /// share for each SSH folder in `walFolders` (their sockets under `<spool>/ssh`).
  static func endSharedConnectionsAtExit(walFolders: [String], spool: String) {
    for text in walFolders {
      guard case .ssh(let user, let name, let port, _) = RepositoryLocation(canonical: text) else { continue }
      let host = SSHHost(user: user, host: name, port: port)
      guard !sharedToEnd.contains(where: { $0.host.description == host.description }) else { continue }
      sharedToEnd.append((spool + "/ssh", host))
    }
    closeAtExit()
  }

  /// The store for `bucket`, made once per run.
  private static func s3Store(_ bucket: String, s3: S3Settings, environment: [String: String]) throws -> S3Store {
    if let store = buckets[bucket] { return store }
    let store = try S3Store(
      bucket: bucket, environment: environment, endpoint: s3.endpoint, region: s3.region, pathStyle: s3.pathStyle,
      retry: .configured(environment))
    buckets[bucket] = store
    return store
  }

  private static func install() {
    var remotes = sessions.mapValues { $0 as any RepositoryStore }
    for (bucket, store) in buckets { remotes["s3://" + bucket] = store }
    RepositoryStores.install(RepositoryStores(remotes: remotes))
  }

  /// Ends every connection this run opened.
  static func closeAll() {
    for store in sessions.values { store.close() }
    sessions = [:]
    for (folder, host) in sharedToEnd {
      if let path = SharedControlPath.path(for: host, in: folder, create: false) {
        SSHSession.endSharedConnection(host: host, options: sshOptions(), controlPath: path)
      }
      SharedControlPath.removeFallback(for: host, in: folder)
    }
    sharedToEnd = []
  }

  /// `ssh`'s options: `PITR_SSH_CONFIG` as its configuration file when set.
  private static func sshOptions() -> SSHOptions {
    var options = SSHOptions()
    if let config = ProcessInfo.processInfo.environment[configVariable], !config.isEmpty {
      options.configFile = config
    }
    return options
  }

  /// The sentence of a store's or ssh's error, without the `cannot read PATH:` prefix.
  private static func reason(_ error: any Error) -> String {
    if let error = error as? StorageError { return error.reason }
    if let error = error as? S3Error { return error.description }
    return "\(error)"
  }
}

/// The plan's `backups.s3:` values (or `pitr wal-fetch`'s `--s3-…` options): `nil` for the
/// standard places' own.
struct S3Settings: Sendable {
  var endpoint: String?
  var region: String?
  var pathStyle: Bool?

  init(endpoint: String? = nil, region: String? = nil, pathStyle: Bool? = nil) {
    self.endpoint = endpoint
    self.region = region
    self.pathStyle = pathStyle
  }

  init(_ options: S3Options?) {
    self.init(endpoint: options?.endpoint?.value, region: options?.region?.value, pathStyle: options?.pathStyle?.value)
  }
}
