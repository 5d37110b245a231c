/// What the compiler needs to know about the machine a plan will run on. The real one
/// (`SystemEnvironment`, in Execution) looks at the file system, ports, binaries and users;
/// tests give a fixed one, so compiling never starts a process.
public protocol CompilerEnvironment {
  /// What is at `path` now.
  func directoryState(_ path: String) -> DirectoryState
  /// Whether `path` is a folder (or a link to one); by default, from `directoryState`.
  func isFolder(_ path: String) -> Bool
  /// Whether something listens on `port` (TCP on localhost, or a PostgreSQL socket).
  func isPortInUse(_ port: Int) -> Bool
  /// `path` with the symbolic links of its existing part resolved (`/srv/pg/data` when `/srv`
  /// links to `/mnt/data`: `/mnt/data/pg/data`); the part that does not exist yet is kept
  /// as written.
  func resolvingLinks(_ path: String) -> String
  /// Free bytes on the file system that would hold `path` (its nearest existing parent).
  func freeBytes(at path: String) -> Int64?
  /// The server binaries in `directory`, or (when `nil`) found on `PATH` or in the usual
  /// places for `majorVersion` (`/usr/lib/postgresql/N/bin`, `/usr/pgsql-N/bin`).
  func serverBinaries(in directory: String?, majorVersion: Int?) -> ServerBinaries
  /// Whether an operating-system user of this name exists.
  func userExists(_ name: String) -> Bool
  /// Whether pitr runs as root (then the server must run as `os_user`).
  var isRoot: Bool { get }
  /// The `pitr` executable the recovery configuration calls as `restore_command`.
  var pitrExecutable: String { get }
  /// The machine's memory in bytes (what `recovery_tuning: auto` sizes shared_buffers from);
  /// nil when unknown.
  var memoryBytes: Int64? { get }
}

extension CompilerEnvironment {
  /// No links resolved: for environments that describe no real file system.
  public func resolvingLinks(_ path: String) -> String { path }

  public func isFolder(_ path: String) -> Bool {
    switch directoryState(path) {
    case .absent, .file: false
    case .empty, .notEmpty, .restoring: true
    }
  }
}

/// What a directory path holds.
public enum DirectoryState: Hashable, Sendable {
  case absent
  case empty
  /// Not empty; `isDataDirectory` when it holds `PG_VERSION`, `running` when a server has it
  /// open (`postmaster.pid` names a live process).
  case notEmpty(entries: Int, isDataDirectory: Bool, running: Bool)
  /// A file, not a directory.
  case file
  /// The destination of a pitr restore (a journal in `<path>.pitr`) of the plan whose file
  /// hashes to `planHash`, against the backup and WAL that fingerprint to `catalogFingerprint`
  /// (`nil` when unknown); `running` when its server runs.
  case restoring(planHash: String, catalogFingerprint: String? = nil, running: Bool)
}

/// `pg_ctl` and `postgres` as found, or why not.
public struct ServerBinaries: Hashable, Sendable, Codable {
  /// The directory holding them.
  public var directory: String?
  /// Their major version (from `pg_ctl --version`).
  public var majorVersion: Int?
  /// Why they could not be used, when they could not.
  public var problem: String?

  public init(directory: String?, majorVersion: Int?, problem: String?) {
    self.directory = directory
    self.majorVersion = majorVersion
    self.problem = problem
  }
}
