import Catalog
import PlanModel
import PostgresVocabulary

/// A plan compiled against the catalog: everything `pitr apply` does, decided and shown in
/// advance. `pitr plan --format json` writes it; `pitr apply` runs it after checking it is not
/// stale (the plan file and the files it relies on are what they were).
public struct CompiledPlan: Hashable, Sendable, Codable {
  /// The compiled form's own format version.
  public var formatVersion = 1
  public var planFile: String
  public var planName: String
  /// SHA-256 of the plan file's bytes.
  public var planHash: String
  /// A digest of the catalog facts the compilation used (backup, segments, history files).
  public var catalogFingerprint: String
  public var backup: ChosenBackup
  /// The other backups and what was said of each.
  public var alternatives: [Alternative]
  public var target: ResolvedTarget
  public var action: RecoveryAction
  public var destination: ResolvedDestination
  public var configuration: RecoveryConfiguration
  public var prediction: Prediction
  public var graph: StepGraph
  /// The plan's checks, run once the target is reached.
  public var checks: [VerificationCheck]
  /// `source.conninfo`, for `switch-source-wal` (never holds a password).
  public var sourceConnection: String?
  /// What the dry run should say besides the steps (raised settings, zone readings, …).
  public var notes: [String]

  public struct ChosenBackup: Hashable, Sendable, Codable {
    public var id: String
    public var path: String
    public var reason: String
    public var startLSN: LSN
    public var consistentLSN: LSN
    public var timeline: TimelineID
    public var pgVersion: Int?
    public var format: String
    public var expandedSize: Int64?
    /// An incremental backup's chain, full backup first and this backup last, which
    /// pg_combinebackup combines; `nil` for a full backup.
    public var chain: [ChainMember]?
  }

  /// One backup of an incremental chain.
  public struct ChainMember: Hashable, Sendable, Codable {
    public var id: String
    public var path: String
    /// `plain`, `tar`, `tar, gzip`, …
    public var how: String
    public var expandedSize: Int64?
  }

  public struct Alternative: Hashable, Sendable, Codable {
    public var id: String
    public var verdict: String
  }

  public struct ResolvedDestination: Hashable, Sendable, Codable {
    public var dataDirectory: String
    /// Beside the data directory: the journal, the lock, the WAL spool and the server log.
    public var stateDirectory: String
    public var port: Int
    public var binDirectory: String?
    public var osUser: String?
    public var walFolders: [String]
    public var tablespaces: [TablespaceTarget]

    /// Where a plan restores to, as far as the plan alone says (no tablespaces: those need
    /// the backup); for `pitr status`, which must work when the plan no longer compiles.
    /// With an environment, the data directory's links are resolved as compiling does.
    public init(plan: Plan, environment: (any CompilerEnvironment)? = nil) {
      let written = plan.destination.dataDirectory.value
      dataDirectory = environment?.resolvingLinks(written) ?? written
      stateDirectory = dataDirectory + ".pitr"
      port = plan.destination.port.value
      binDirectory = plan.destination.binDir?.value
      osUser = plan.destination.osUser?.value
      walFolders = plan.backups.wal.map(\.value)
      tablespaces = []
    }

    init(
      dataDirectory: String, stateDirectory: String, port: Int, binDirectory: String?,
      osUser: String?, walFolders: [String], tablespaces: [TablespaceTarget]
    ) {
      self.dataDirectory = dataDirectory
      self.stateDirectory = stateDirectory
      self.port = port
      self.binDirectory = binDirectory
      self.osUser = osUser
      self.walFolders = walFolders
      self.tablespaces = tablespaces
    }
  }

  public struct TablespaceTarget: Hashable, Sendable, Codable {
    public var oid: UInt32
    public var originalLocation: String
    public var location: String
    /// The backup's archive holding it (`16390.tar.gz`), for tar backups.
    public var archive: String?
  }
}
