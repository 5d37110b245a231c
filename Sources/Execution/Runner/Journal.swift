import Foundation

/// What a run has done so far, kept beside the data directory (`<state>/journal.json`) and
/// rewritten atomically after every step, so that after a crash `pitr apply` knows where it
/// stopped: it resumes, or says exactly what to do.
public struct Journal: Codable, Sendable, Equatable {
  public enum Status: String, Codable, Sendable {
    case pending, running, done, failed
  }

  public struct Entry: Codable, Sendable, Equatable {
    public var id: String
    public var status: Status
    public var started: Date?
    public var finished: Date?
    public var message: String?
  }

  /// The compiled plan this journal belongs to (its plan hash and catalog fingerprint).
  public var planHash: String
  public var catalogFingerprint: String
  public var steps: [Entry]
  /// The backup restored (its catalog id); nil in journals written before pitr recorded it.
  public var backup: String?
  /// Each `pitr advance` of the finished restore, oldest first (nil: none yet).
  public var advances: [Advance]?

  /// One `pitr advance`: the target it moved to and how it went.
  public struct Advance: Codable, Sendable, Equatable {
    /// The target as `--to` took it (`time=…`).
    public var target: String
    public var status: Status
    public var started: Date?
    public var finished: Date?
    /// Where the server was paused before (`pg_last_wal_replay_lsn()`).
    public var fromLSN: String?
    public var predictedStop: String?
    public var loggedStop: String?
    public var message: String?
  }

  public init(planHash: String, catalogFingerprint: String, stepIDs: [String], backup: String? = nil) {
    self.planHash = planHash
    self.catalogFingerprint = catalogFingerprint
    steps = stepIDs.map { Entry(id: $0, status: .pending) }
    self.backup = backup
  }

  public func status(of id: String) -> Status? { steps.first { $0.id == id }?.status }

  /// Whether every step of the restore is done (the restore finished).
  public var isFinished: Bool { !steps.isEmpty && steps.allSatisfy { $0.status == .done } }

  /// The last advance that finished, if any.
  public var lastAdvance: Advance? { advances?.last { $0.status == .done } }

  mutating func set(_ id: String, _ status: Status, message: String? = nil) {
    guard let index = steps.firstIndex(where: { $0.id == id }) else { return }
    steps[index].status = status
    if status == .running { steps[index].started = Date() }
    if status == .done || status == .failed { steps[index].finished = Date() }
    steps[index].message = message
  }

  // MARK: - File

  static func path(in stateDirectory: String) -> String { "\(stateDirectory)/journal.json" }

  public static func load(from stateDirectory: String) -> Journal? {
    guard let data = FileManager.default.contents(atPath: path(in: stateDirectory)) else { return nil }
    let decoder = JSONDecoder()
    decoder.dateDecodingStrategy = .iso8601
    return try? decoder.decode(Journal.self, from: data)
  }

  func save(to stateDirectory: String) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    encoder.dateEncodingStrategy = .iso8601
    let target = Self.path(in: stateDirectory)
    try encoder.encode(self).write(to: URL(fileURLWithPath: target), options: .atomic)
  }
}
