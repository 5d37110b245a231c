/// One step of a restore: a value with an id, the artifacts it needs and makes, and its
/// action, a typed payload holding everything its handler needs (the command it runs, the
/// exact bytes of the files it writes, …). Edges are not stored: they follow from which step
/// makes what another needs (`StepGraph`).
public struct Step: Hashable, Sendable, Codable {
  /// What a step does; the raw values are the kebab-case names the dry run prints.
  public enum Kind: String, Hashable, Sendable, Codable, CaseIterable {
    case checkDestination = "check-destination"
    case switchSourceWAL = "switch-source-wal"
    case createDataDirectory = "create-data-directory"
    case extractBase = "extract-base"
    case combineBackups = "combine-backups"
    case extractWAL = "extract-wal"
    case extractTablespace = "extract-tablespace"
    case prefetchWAL = "prefetch-wal"
    case writeRecoveryConfig = "write-recovery-config"
    case writeSignal = "write-signal"
    case startServer = "start-server"
    case awaitTarget = "await-target"
    case verify
    case promote
    case finish
    case stopServer = "stop-server"
  }

  /// Unique in the graph: the kind, with a suffix when a kind repeats (`extract-tablespace-16390`).
  public var id: String
  /// What the step does, resolved.
  public var action: StepAction
  /// One line a person reads in the dry run.
  public var summary: String
  public var inputs: [Artifact]
  public var outputs: [Artifact]
  /// Facts the dry run shows (what is extracted, which checks run, …).
  public var details: [String]

  public var kind: Kind { action.kind }
  /// The program to run, if the step runs one (arguments stay symbolic until resolved).
  public var command: [ArgumentTemplate]? { action.command }
  /// The files the step writes, with their exact bytes and permissions.
  public var files: [FileContent] { action.files }

  public init(
    id: String? = nil, action: StepAction, summary: String, inputs: [Artifact] = [],
    outputs: [Artifact] = [], details: [String] = []
  ) {
    self.id = id ?? action.kind.rawValue
    self.action = action
    self.summary = summary
    self.inputs = inputs
    self.outputs = outputs
    self.details = details
  }

  private enum CodingKeys: String, CodingKey {
    case id, kind, action, summary, inputs, outputs, details
  }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    self.init(
      id: try container.decode(String.self, forKey: .id),
      action: try StepAction.decode(container.decode(Kind.self, forKey: .kind), from: container, forKey: .action),
      summary: try container.decode(String.self, forKey: .summary),
      inputs: try container.decode([Artifact].self, forKey: .inputs),
      outputs: try container.decode([Artifact].self, forKey: .outputs),
      details: try container.decode([String].self, forKey: .details))
  }

  /// Writes the kind beside the action, for readers of `pitr plan --format json`.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(id, forKey: .id)
    try container.encode(kind, forKey: .kind)
    try action.encodePayload(to: &container, forKey: .action)
    try container.encode(summary, forKey: .summary)
    try container.encode(inputs, forKey: .inputs)
    try container.encode(outputs, forKey: .outputs)
    try container.encode(details, forKey: .details)
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
  /// `pitr advance`: the paused server stopped, to be started with the new target.
  public static let serverStopped = Artifact("server-stopped")
  public static let finished = Artifact("finished")

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

/// A file a step writes, whole: where, its exact bytes, its permissions and owner.
public struct FileContent: Hashable, Sendable, Codable {
  public var path: String
  /// The file's exact content (UTF-8).
  public var content: String
  /// Permission bits, as octal text: `"0600"`.
  public var permissions: String
  /// Who owns it when pitr runs as root (the server's OS user); nil: pitr's own user.
  public var owner: String?

  public init(path: String, content: String, permissions: String = "0600", owner: String? = nil) {
    self.path = path
    self.content = content
    self.permissions = permissions
    self.owner = owner
  }

  /// The permission bits as a number (0o600).
  public var mode: UInt16 { UInt16(permissions, radix: 8) ?? 0o600 }
}
