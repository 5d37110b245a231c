import PlanModel
import PostgresVocabulary
import WAL

/// What a step does, fully resolved by the compiler: one case per kind, each with the typed
/// payload its handler in `Execution/Steps/<Kind>.swift` needs and nothing else to look up.
/// The dry run (`pitr plan`, text and JSON) shows these values; `pitr apply` runs them.
public enum StepAction: Hashable, Sendable {
  case checkDestination(CheckDestination)
  case switchSourceWAL(SwitchSourceWAL)
  case createDataDirectory(CreateDataDirectory)
  case extractBase(ExtractBase)
  case combineBackups(CombineBackups)
  case extractWAL(ExtractWAL)
  case extractTablespace(ExtractTablespace)
  case prefetchWAL(PrefetchWAL)
  case writeRecoveryConfig(WriteFiles)
  case writeSignal(WriteFiles)
  case startServer(StartServer)
  case awaitTarget(AwaitTarget)
  case verify(Verify)
  case promote(Promote)
  case finish(Finish)
  case stopServer(StopServer)

  public var kind: Step.Kind {
    switch self {
    case .checkDestination: .checkDestination
    case .switchSourceWAL: .switchSourceWAL
    case .createDataDirectory: .createDataDirectory
    case .extractBase: .extractBase
    case .combineBackups: .combineBackups
    case .extractWAL: .extractWAL
    case .extractTablespace: .extractTablespace
    case .prefetchWAL: .prefetchWAL
    case .writeRecoveryConfig: .writeRecoveryConfig
    case .writeSignal: .writeSignal
    case .startServer: .startServer
    case .awaitTarget: .awaitTarget
    case .verify: .verify
    case .promote: .promote
    case .finish: .finish
    case .stopServer: .stopServer
    }
  }

  /// The files the step writes, with their exact bytes and permissions.
  public var files: [FileContent] {
    switch self {
    case .writeRecoveryConfig(let write), .writeSignal(let write): write.files
    case .finish(let finish): finish.files
    default: []
    }
  }

  /// The program the step runs, symbolic until `StepResolver` resolves it.
  public var command: [ArgumentTemplate]? {
    if case .startServer(let start) = self { return start.command }
    if case .stopServer(let stop) = self { return stop.command }
    if case .finish(let finish) = self { return finish.restart }
    if case .combineBackups(let combine) = self { return combine.command }
    return nil
  }

  /// Programs the step runs after ``command``, symbolic like it (combine-backups:
  /// pg_verifybackup over the combined data directory).
  public var followingCommands: [[ArgumentTemplate]] {
    if case .combineBackups(let combine) = self, let verify = combine.verifyCommand { return [verify] }
    return []
  }

  /// Whether the command runs as the server's OS user.
  public var runsAsServerUser: Bool {
    if case .startServer(let start) = self { return start.runsAsServerUser }
    if case .stopServer(let stop) = self { return stop.runsAsServerUser ?? false }
    if case .finish(let finish) = self { return finish.runsAsServerUser }
    if case .combineBackups(let combine) = self { return combine.runsAsServerUser }
    return false
  }

  // MARK: - Payloads

  /// `check-destination`: the data directory is still absent or empty, the port still free.
  public struct CheckDestination: Hashable, Sendable, Codable {
    public var dataDirectory: String
    public var port: Int
    /// The lock the run holds: `<state>/lock`.
    public var lock: String
  }

  /// `switch-source-wal`: `pg_switch_wal()` on the live source, waiting for the archive.
  public struct SwitchSourceWAL: Hashable, Sendable, Codable {
    /// `source.conninfo` (never holds a password).
    public var conninfo: String
    public var walFolders: [String]
    /// The segment `pitr apply PLAN` archived by switching before it compiled the plan (the
    /// step then only reports it); nil in a dry run, and then apply switches in this step.
    public var archivedSegment: String?
    /// How long to wait for the archiver, in seconds.
    public var timeout: Double
  }

  /// `create-data-directory`: the data directory (0700), the state directory and its spool.
  public struct CreateDataDirectory: Hashable, Sendable, Codable {
    public var dataDirectory: String
    public var stateDirectory: String
    public var spool: String
    /// Who owns them when pitr runs as root.
    public var owner: String?
  }

  /// `extract-base`: one pass over the whole backup (base, its WAL, its tablespaces), since
  /// `backup_manifest` can only be checked complete across all of its archives.
  public struct ExtractBase: Hashable, Sendable, Codable {
    public var backupFolder: String
    /// `tar` or `plain`.
    public var format: String
    /// The backup's archives (`base.tar.gz`, `pg_wal.tar.gz`, `16390.tar.gz`), for tar.
    public var archives: [String]
    public var dataDirectory: String
    public var tablespaces: [TablespaceRelocation]
    public var owner: String?
  }

  /// `combine-backups` (17+): an incremental backup restored with its chain. Each backup of
  /// the chain is extracted (checked against its manifest) into its folder under `staging`,
  /// then `command` (pg_combinebackup) writes the data directory from them, then `staging`
  /// is removed.
  public struct CombineBackups: Hashable, Sendable, Codable {
    /// One backup of the chain and where it is extracted.
    public struct Member: Hashable, Sendable, Codable {
      public var id: String
      public var backupFolder: String
      /// `tar` or `plain`.
      public var format: String
      public var stagingFolder: String
      /// Where its tablespaces are extracted, one folder per OID (`<staging>/<id>.tablespaces/<oid>`),
      /// each linked from the staged `pg_tblspc/<oid>` as pg_combinebackup reads them.
      public var tablespaceStaging: String
    }

    /// The chain, full backup first.
    public var backups: [Member]
    /// `<state>/combine`, beside the data directory; removed once combined.
    public var staging: String
    public var dataDirectory: String
    /// The last backup's tablespaces and where the combined ones go (`-T STAGED=LOCATION`).
    public var tablespaces: [TablespaceRelocation]
    /// `pg_combinebackup -o DATA --copy [-T STAGED=LOCATION …] STAGING/<full> … STAGING/<last>`.
    public var command: [ArgumentTemplate]
    /// `pg_verifybackup --no-parse-wal DATA`: the combined data directory against the
    /// backup_manifest pg_combinebackup wrote (it holds no WAL to parse).
    public var verifyCommand: [ArgumentTemplate]?
    public var runsAsServerUser: Bool
    /// Bytes the staging folders take, and at most the combined data directory.
    public var stagingBytes: Int64?
    public var resultBytes: Int64?
    public var owner: String?
  }

  /// Where a tablespace of the backup goes.
  public struct TablespaceRelocation: Hashable, Sendable, Codable {
    public var oid: UInt32
    public var location: String
  }

  /// `extract-wal`: checks that the WAL the backup carries arrived in `pg_wal`.
  public struct ExtractWAL: Hashable, Sendable, Codable {
    public var walDirectory: String
    public var segments: [WALSegmentName]
  }

  /// `extract-tablespace`: checks that the tablespace's link (plain) or the rewritten
  /// `tablespace_map` (tar) points at its new location.
  public struct ExtractTablespace: Hashable, Sendable, Codable {
    public var oid: UInt32
    public var location: String
    public var dataDirectory: String
  }

  /// `prefetch-wal`: these archived segments, decompressed into the spool.
  public struct PrefetchWAL: Hashable, Sendable, Codable {
    public struct Segment: Hashable, Sendable, Codable {
      public var name: WALSegmentName
      /// The archived file (plain or compressed).
      public var source: String

      public init(name: WALSegmentName, source: String) {
        self.name = name
        self.source = source
      }
    }

    public var spool: String
    public var segments: [Segment]
    public var owner: String?
    /// The restored server's `pg_wal`: a segment already there has been restored by
    /// recovery, which runs beside the prefetch, so it is not decompressed again.
    public var walDirectory: String?

    public init(spool: String, segments: [Segment], owner: String?, walDirectory: String?) {
      self.spool = spool
      self.segments = segments
      self.owner = owner
      self.walDirectory = walDirectory
    }
  }

  /// `write-recovery-config` and `write-signal`: whole files, written as they are here.
  public struct WriteFiles: Hashable, Sendable, Codable {
    public var files: [FileContent]

    public init(files: [FileContent]) { self.files = files }
  }

  /// `start-server`: `pg_ctl start`, as the server's OS user when pitr runs as root.
  public struct StartServer: Hashable, Sendable, Codable {
    public var command: [ArgumentTemplate]
    public var runsAsServerUser: Bool
    public var connection: ServerConnection
    /// How long `pg_ctl` may take, in seconds.
    public var timeout: Double
  }

  /// `await-target`: follows the log and the server until the action's end state.
  public struct AwaitTarget: Hashable, Sendable, Codable {
    public var connection: ServerConnection
    public var action: RecoveryAction
    /// What PostgreSQL should log when it stops (nil: it replays all the archived WAL).
    public var predictedStop: String?
    public var predictedStopLSN: LSN?
  }

  /// `verify`: the plan's checks, over libpq through the private socket.
  public struct Verify: Hashable, Sendable, Codable {
    public var connection: ServerConnection
    public var checks: [VerificationCheck]
  }

  /// `promote`: `pg_promote()` only if every check passed.
  public struct Promote: Hashable, Sendable, Codable {
    public var connection: ServerConnection
    /// Seconds `pg_promote` waits.
    public var timeout: Int
  }

  /// `finish`: hands the promoted server over. Writes `postgresql.auto.conf` whole (the
  /// backup's own, a record of the restore, the plan's port and settings, archiving as
  /// planned: no restore settings), then, while the server still runs with the restore's
  /// socket and pg_hba.conf (or does not run), restarts it with `restart` and checks it
  /// answers on `port`.
  public struct Finish: Hashable, Sendable, Codable {
    public var files: [FileContent]
    /// `pg_ctl restart`, run only when the server must restart.
    public var restart: [ArgumentTemplate]
    public var runsAsServerUser: Bool
    /// The server as the restore reached it (its private socket, its log).
    public var connection: ServerConnection
    /// The port it listens on once finished.
    public var port: Int
    /// How long `pg_ctl restart` may take, in seconds.
    public var timeout: Double
  }

  /// `stop-server`: confirms the server stopped at the target; with a command (`pitr
  /// advance`), stops the paused server with it first.
  public struct StopServer: Hashable, Sendable, Codable {
    public var connection: ServerConnection
    /// `pg_ctl stop`, when the step stops the server itself.
    public var command: [ArgumentTemplate]?
    public var runsAsServerUser: Bool?
    /// Where the server's log is appended once it stopped (the log then starts afresh).
    public var keepLogAs: String?

    public init(
      connection: ServerConnection, command: [ArgumentTemplate]? = nil, runsAsServerUser: Bool? = nil,
      keepLogAs: String? = nil
    ) {
      self.connection = connection
      self.command = command
      self.runsAsServerUser = runsAsServerUser
      self.keepLogAs = keepLogAs
    }
  }
}

/// How pitr reaches the restored server: its private socket (no password: the socket's
/// folder is mode 0700 and pitr's pg_hba.conf trusts it) and where it logs.
public struct ServerConnection: Hashable, Sendable, Codable {
  public var dataDirectory: String
  public var socketDirectory: String
  public var port: Int
  /// The role tried first (the OS user), then `postgres`, then pitr's own user.
  public var user: String?
  public var logFile: String

  public init(dataDirectory: String, socketDirectory: String, port: Int, user: String?, logFile: String) {
    self.dataDirectory = dataDirectory
    self.socketDirectory = socketDirectory
    self.port = port
    self.user = user
    self.logFile = logFile
  }

  /// The connection to a destination's server.
  public init(_ destination: CompiledPlan.ResolvedDestination) {
    self.init(
      dataDirectory: destination.dataDirectory, socketDirectory: destination.stateDirectory,
      port: destination.port, user: destination.osUser, logFile: "\(destination.stateDirectory)/server.log")
  }
}

// MARK: - Coding

extension StepAction {
  /// Writes the payload alone; the step writes its kind beside it (`"kind"`, `"action"`), so
  /// `pitr plan --format json` reads `{"kind": "write-signal", "action": {"files": […]}}`.
  func encodePayload<Key: CodingKey>(to container: inout KeyedEncodingContainer<Key>, forKey key: Key) throws {
    switch self {
    case .checkDestination(let payload): try container.encode(payload, forKey: key)
    case .switchSourceWAL(let payload): try container.encode(payload, forKey: key)
    case .createDataDirectory(let payload): try container.encode(payload, forKey: key)
    case .extractBase(let payload): try container.encode(payload, forKey: key)
    case .combineBackups(let payload): try container.encode(payload, forKey: key)
    case .extractWAL(let payload): try container.encode(payload, forKey: key)
    case .extractTablespace(let payload): try container.encode(payload, forKey: key)
    case .prefetchWAL(let payload): try container.encode(payload, forKey: key)
    case .writeRecoveryConfig(let payload), .writeSignal(let payload): try container.encode(payload, forKey: key)
    case .startServer(let payload): try container.encode(payload, forKey: key)
    case .awaitTarget(let payload): try container.encode(payload, forKey: key)
    case .verify(let payload): try container.encode(payload, forKey: key)
    case .promote(let payload): try container.encode(payload, forKey: key)
    case .finish(let payload): try container.encode(payload, forKey: key)
    case .stopServer(let payload): try container.encode(payload, forKey: key)
    }
  }

  /// Reads the payload of a step of that kind.
  static func decode<Key: CodingKey>(
    _ kind: Step.Kind, from container: KeyedDecodingContainer<Key>, forKey key: Key
  ) throws -> StepAction {
    func read<T: Decodable>(_ type: T.Type) throws -> T { try container.decode(type, forKey: key) }
    switch kind {
    case .checkDestination: return .checkDestination(try read(CheckDestination.self))
    case .switchSourceWAL: return .switchSourceWAL(try read(SwitchSourceWAL.self))
    case .createDataDirectory: return .createDataDirectory(try read(CreateDataDirectory.self))
    case .extractBase: return .extractBase(try read(ExtractBase.self))
    case .combineBackups: return .combineBackups(try read(CombineBackups.self))
    case .extractWAL: return .extractWAL(try read(ExtractWAL.self))
    case .extractTablespace: return .extractTablespace(try read(ExtractTablespace.self))
    case .prefetchWAL: return .prefetchWAL(try read(PrefetchWAL.self))
    case .writeRecoveryConfig: return .writeRecoveryConfig(try read(WriteFiles.self))
    case .writeSignal: return .writeSignal(try read(WriteFiles.self))
    case .startServer: return .startServer(try read(StartServer.self))
    case .awaitTarget: return .awaitTarget(try read(AwaitTarget.self))
    case .verify: return .verify(try read(Verify.self))
    case .promote: return .promote(try read(Promote.self))
    case .finish: return .finish(try read(Finish.self))
    case .stopServer: return .stopServer(try read(StopServer.self))
    }
  }
}
