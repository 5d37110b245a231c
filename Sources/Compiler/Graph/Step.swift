/// One step of a restore: a value with a kind, the artifacts it needs and makes, and either a
/// command to run or a file to write. Edges are not stored: they follow from which step
/// makes what another needs (`StepGraph`).
public struct Step: Hashable, Sendable, Codable {
  /// What a step does; the raw values are the kebab-case names the dry run prints.
  public enum Kind: String, Hashable, Sendable, Codable, CaseIterable {
    case checkDestination = "check-destination"
    case switchSourceWAL = "switch-source-wal"
    case createDataDirectory = "create-data-directory"
    case extractBase = "extract-base"
    case extractWAL = "extract-wal"
    case extractTablespace = "extract-tablespace"
    case prefetchWAL = "prefetch-wal"
    case writeRecoveryConfig = "write-recovery-config"
    case writeSignal = "write-signal"
    case startServer = "start-server"
    case awaitTarget = "await-target"
    case verify
    case promote
    case stopServer = "stop-server"
  }

  /// Unique in the graph: the kind, with a suffix when a kind repeats (`extract-tablespace-16390`).
  public var id: String
  public var kind: Kind
  /// One line a person reads in the dry run.
  public var summary: String
  public var inputs: [Artifact]
  public var outputs: [Artifact]
  /// The program to run, if the step runs one (arguments stay symbolic until resolved).
  public var command: [ArgumentTemplate]?
  /// Whether the command runs as the server's OS user.
  public var runsAsServerUser: Bool
  /// A file the step writes, with its full content.
  public var file: FileContent?
  /// Facts the dry run shows (what is extracted, which checks run, …).
  public var details: [String]

  public init(
    id: String? = nil, kind: Kind, summary: String, inputs: [Artifact] = [],
    outputs: [Artifact] = [], command: [ArgumentTemplate]? = nil, runsAsServerUser: Bool = false,
    file: FileContent? = nil, details: [String] = []
  ) {
    self.id = id ?? kind.rawValue
    self.kind = kind
    self.summary = summary
    self.inputs = inputs
    self.outputs = outputs
    self.command = command
    self.runsAsServerUser = runsAsServerUser
    self.file = file
    self.details = details
  }
}

/// Something a step makes and another needs.
public struct Artifact: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
  public var name: String

  public init(_ name: String) { self.name = name }

  public var description: String { name }

  public static func < (lhs: Artifact, rhs: Artifact) -> Bool { lhs.name < rhs.name }

  public static let destinationChecked = Artifact("destination-checked")
  public static let sourceWALSwitched = Artifact("source-wal-switched")
  public static let dataDirectory = Artifact("data-directory")
  public static let baseFiles = Artifact("base-files")
  public static let backupWAL = Artifact("backup-wal")
  public static let walSpool = Artifact("wal-spool")
  public static let recoveryConfig = Artifact("recovery-config")
  public static let recoverySignal = Artifact("recovery-signal")
  public static let runningServer = Artifact("running-server")
  public static let targetReached = Artifact("target-reached")
  public static let checksPassed = Artifact("checks-passed")
  public static let promoted = Artifact("promoted")
  public static let stopped = Artifact("stopped")

  public static func tablespace(_ oid: UInt32) -> Artifact { Artifact("tablespace-\(oid)") }
}

/// One argument of a step's command, kept symbolic until `StepResolver` makes it a string.
public enum ArgumentTemplate: Hashable, Sendable, Codable {
  /// Text used as it is.
  case literal(String)
  /// The `pitr` executable.
  case pitr
  /// A server binary (`pg_ctl`), in `destination.bin_dir` or found on `PATH`.
  case serverBinary(String)
}

/// A file a step writes: where, what, and with which permissions.
public struct FileContent: Hashable, Sendable, Codable {
  public var path: String
  public var content: String
  /// How it is written: the whole file, or a block appended to / replaced in it.
  public var mode: Mode

  public enum Mode: String, Hashable, Sendable, Codable {
    case create
    case replaceBlock = "replace-block"
  }

  public init(path: String, content: String, mode: Mode) {
    self.path = path
    self.content = content
    self.mode = mode
  }
}
