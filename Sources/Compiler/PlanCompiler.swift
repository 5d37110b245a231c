import Catalog
import Crypto
import Foundation
import PlanModel
import PostgresVocabulary

/// Compiles a loaded plan against the catalog: checks everything DESIGN §5 lists, each
/// problem located at the plan key it concerns, and when nothing is wrong produces the
/// `CompiledPlan`: the chosen backup, the resolved target, the configuration, the prediction
/// and the step graph.
public struct PlanCompiler {
  public let plan: Plan
  /// The plan file's text (its hash goes into the compiled plan).
  public let planText: String
  public let catalog: Catalog
  public let index: WALIndex
  public let environment: any CompilerEnvironment
  /// The segment `pitr apply PLAN` archived by switching WAL on the source before it
  /// compiled (`source.switch_wal`), recorded in the `switch-source-wal` step; nil in a dry
  /// run, which switches nothing.
  public let switchedSourceSegment: String?
  /// Compiles `pitr advance`: the destination holds the paused restore to move forward (not
  /// an empty directory, its server on the port), and the graph only rewrites its
  /// configuration, restarts it and follows it to the new target.
  public let advancing: Bool

  public init(
    plan: Plan, planText: String, catalog: Catalog, index: WALIndex,
    environment: any CompilerEnvironment, switchedSourceSegment: String? = nil, advancing: Bool = false
  ) {
    self.advancing = advancing
    self.plan = plan
    self.planText = planText
    self.catalog = catalog
    self.index = index
    self.environment = environment
    self.switchedSourceSegment = switchedSourceSegment
  }

  /// The outcome: every problem found, and the compiled plan when there is no error.
  public struct Compilation: Sendable {
    public var diagnostics: [Diagnostic]
    public var compiled: CompiledPlan?

    public init(diagnostics: [Diagnostic], compiled: CompiledPlan?) {
      self.diagnostics = diagnostics
      self.compiled = compiled
    }
  }

  public func compile() -> Compilation {
    var diagnostics = identityChecks()
    let selection = BackupSelection(
      plan: plan, catalog: catalog,
      evaluator: TargetEvaluator(
        plan: plan, catalog: catalog, index: index, historyCopy: historyCopy),
      cluster: RestoredCluster(plan: plan, archive: catalog.archive))
    let choice: BackupSelection.Choice
    switch selection.choose() {
    case .failure(let refusal):
      let location =
        switch refusal.key {
        case .base: plan.backups.base.location
        case .select: plan.backups.select.location
        case .target: plan.target.kind.location
        }
      diagnostics.append(refusal.problem.diagnostic(at: location))
      return Compilation(diagnostics: diagnostics.inFileOrder(), compiled: nil)
    case .success(let chosen):
      choice = chosen
    }
    let evaluation = choice.evaluation
    let backup = evaluation.backup
    let chain = catalog.chain(of: backup).backups
    diagnostics += evaluation.warnings.map { $0.diagnostic(at: plan.target.kind.location, severity: .warning) }
    if let pgVersion = plan.source?.pgVersion, let version = backup.pgVersion, pgVersion.value != version {
      diagnostics.append(
        .error(
          "the plan says the source is PostgreSQL \(pgVersion.value), but backup \(backup.id) is "
            + "PostgreSQL \(version)", at: pgVersion.location))
    }
    let prediction = PredictionBuilder.predict(
      evaluation, action: plan.action.value, index: index, catalog: catalog,
      serverTimeZone: ServerTimeZone(settings: plan.destination.settings, backupTimezone: backup.timezone))
    let catalogFingerprint = fingerprint(evaluation, prediction)
    diagnostics += DestinationChecks(
      plan: plan, planHash: Self.sha256(planText), catalogFingerprint: catalogFingerprint, backup: backup,
      chain: chain, environment: environment, advancing: advancing
    ).run()
    var notes: [String] = []
    if let note = evaluation.target.zoneNote { notes.append(note) }
    let destination = resolvedDestination(backup: backup)
    let (configuration, floorNotes) = configuration(
      for: evaluation, destination: destination, prediction: prediction)
    for (message, location) in floorNotes {
      diagnostics.append(Diagnostic(.note, message, at: location))
      notes.append(message)
    }
    guard let configurationText = configuration.text else {
      diagnostics.append(
        .error(
          "a setting value cannot be written safely (a line break or NUL)", at: plan.destination.dataDirectory.location)
      )
      return Compilation(diagnostics: diagnostics.inFileOrder(), compiled: nil)
    }
    if diagnostics.hasErrors {
      return Compilation(diagnostics: diagnostics.inFileOrder(), compiled: nil)
    }
    let builder = GraphBuilder(
      plan: plan, backup: backup, chain: chain, destination: destination, configurationText: configurationText,
      prediction: prediction, target: evaluation.target, index: index, switchedSegment: switchedSourceSegment)
    let graph = advancing ? builder.buildAdvance() : builder.build()
    let compiled = CompiledPlan(
      planFile: plan.file, planName: plan.name.value,
      planHash: Self.sha256(planText), catalogFingerprint: catalogFingerprint,
      backup: CompiledPlan.ChosenBackup(
        id: backup.id, path: backup.path, reason: choice.reason, startLSN: backup.label.startLSN,
        consistentLSN: evaluation.window.start, timeline: backup.label.startTimeline,
        pgVersion: backup.pgVersion, format: backup.format.rawValue, expandedSize: backup.expandedSize,
        chain: chain.count > 1
          ? chain.map {
            CompiledPlan.ChainMember(id: $0.id, path: $0.path, how: GraphBuilder.how($0), expandedSize: $0.expandedSize)
          } : nil),
      alternatives: choice.others.map { CompiledPlan.Alternative(id: $0.id, verdict: $0.verdict) },
      target: evaluation.target, action: plan.action.value, destination: destination,
      configuration: configuration, prediction: prediction, graph: graph, checks: plan.verify,
      sourceConnection: plan.source?.conninfo?.value, notes: notes)
    return Compilation(diagnostics: diagnostics.inFileOrder(), compiled: compiled)
  }

  // MARK: - Parts

  /// A missing history file in the plan's destination, when that is the server that
  /// promoted to its timeline (a restore promoted there with archiving off).
  private func historyCopy(_ missing: MissingHistoryFile) -> String? {
    let path = "\(plan.destination.dataDirectory.value)/pg_wal/\(missing.fileName)"
    return environment.directoryState(path) == .file ? path : nil
  }

  /// The source, the backups and the WAL must come from one cluster.
  private func identityChecks() -> [Diagnostic] {
    if let mixed = mixedArchiveCheck() { return [mixed] }
    guard let expected = plan.source?.systemIdentifier else { return [] }
    if let archived = catalog.archive.systemIdentifier, archived != expected.value {
      return [
        .error(
          "the WAL archive comes from the cluster \(archived), not \(expected.value): wrong "
            + "archive, or wrong system_identifier", at: expected.location)
      ]
    }
    return catalog.backups.compactMap { backup in
      guard let system = backup.systemIdentifier, system != expected.value else { return nil }
      return .warning(
        "backup \(backup.id) comes from the cluster \(system), not \(expected.value); it will not "
          + "be chosen", at: expected.location)
    }
  }

  /// An archive holding segments of several clusters: the catalog reads only the most common
  /// one's, so the plan must say that is the one it restores (pitr does not guess).
  private func mixedArchiveCheck() -> Diagnostic? {
    let archive = catalog.archive
    guard let archived = archive.systemIdentifier, let others = archive.otherClusterSegments,
      let firstOther = others.first
    else { return nil }
    let expected = plan.source?.systemIdentifier
    if expected?.value == archived { return nil }
    let counts = Dictionary(others.map { ($0.header.systemIdentifier, 1) }, uniquingKeysWith: +)
    let clusters =
      [(system: archived, segments: archive.segments.count + archive.partialSegments.count)]
      + counts.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { (system: $0.key, segments: $0.value) }
    let holds =
      "the WAL archive holds segments of \(clusters.count) clusters: "
      + clusters.map { "\($0.segments) of \($0.system)" }.joined(separator: ", ")
    guard let expected else {
      let folder = plan.backups.wal.first { folder in
        firstOther.path.hasPrefix(folder.value.hasSuffix("/") ? folder.value : folder.value + "/")
      }
      return .error(
        holds + "; pitr does not guess which one to restore: set source.system_identifier to "
          + "\(archived) to restore that cluster (the others' segments are left out), or move the "
          + "segments of the clusters you do not restore out of the archive",
        at: (folder ?? plan.backups.wal.first ?? plan.backups.base).location)
    }
    // The plan names a cluster whose segments were left out (or none there: said below).
    guard counts[expected.value] != nil else { return nil }
    return .error(
      holds + "; pitr reads only the most common one's (\(archived)), so it cannot restore "
        + "\(expected.value) from it: move the other clusters' segments out of the archive, or "
        + "fix system_identifier", at: expected.location)
  }

  /// Where the restore goes, with the symbolic links of the paths' existing parts resolved
  /// once here: extraction never creates or opens anything through a link, so it is given
  /// the real directories (the dry run shows them).
  private func resolvedDestination(backup: BaseBackup) -> CompiledPlan.ResolvedDestination {
    let data = environment.resolvingLinks(plan.destination.dataDirectory.value)
    let binaries = environment.serverBinaries(in: plan.destination.binDir?.value, majorVersion: backup.pgVersion)
    return CompiledPlan.ResolvedDestination(
      dataDirectory: data, stateDirectory: data + ".pitr", port: plan.destination.port.value,
      binDirectory: binaries.directory, osUser: plan.destination.osUser?.value,
      walFolders: plan.backups.wal.map(\.value),
      tablespaces: plan.destination.tablespaces.compactMap { mapping in
        guard case .oid(let oid) = mapping.tablespace.value,
          let original = backup.tablespaces.first(where: { $0.oid == oid })
        else { return nil }
        let archive = backup.files.first { $0.role == .tablespace && $0.name.hasPrefix("\(oid).tar") }
        return CompiledPlan.TablespaceTarget(
          oid: oid, originalLocation: original.location,
          location: environment.resolvingLinks(mapping.location.value),
          archive: archive?.name)
      })
  }

  /// The lines of the pitr block: how to fetch WAL, the target, the action, the port,
  /// archiving, the hot-standby floor, tuning, then the plan's own settings.
  private func configuration(
    for evaluation: TargetEvaluation, destination: CompiledPlan.ResolvedDestination, prediction: Prediction
  ) -> (RecoveryConfiguration, [(String, SourceLocation)]) {
    var lines: [RecoveryConfiguration.Line] = []
    var fetch = [environment.pitrExecutable, "wal-fetch"]
    for folder in destination.walFolders { fetch += ["--wal", folder] }
    // Where S3 is (never who: wal-fetch takes credentials from its environment, the server's).
    if let s3 = plan.backups.s3, destination.walFolders.contains(where: { $0.hasPrefix("s3://") }) {
      if let endpoint = s3.endpoint { fetch += ["--s3-endpoint", endpoint.value] }
      if let region = s3.region { fetch += ["--s3-region", region.value] }
      if let pathStyle = s3.pathStyle { fetch += ["--s3-path-style", pathStyle.value ? "true" : "false"] }
    }
    if let system = evaluation.backup.systemIdentifier { fetch += ["--system-identifier", String(system)] }
    for run in archivedRuns(evaluation, prediction: prediction) { fetch += ["--needs", run] }
    fetch += ["--spool", destination.stateDirectory + "/spool", "%f", "%p"]
    lines.append(
      .init(
        "restore_command", fetch.map(ConfigurationValue.shellWord).joined(separator: " "),
        comment: "finds, decompresses and checks each segment"))
    lines += evaluation.target.settings.map { .init($0.name, $0.value) }
    lines.append(.init("recovery_target_action", plan.action.value.postgresAction))
    lines.append(.init("hot_standby", "on", comment: "to follow and check the recovery"))
    lines.append(.init("port", String(destination.port)))
    lines.append(
      .init(
        "unix_socket_directories", destination.stateDirectory,
        comment: "pitr connects through this private socket (its folder is mode 0700)"))
    lines.append(
      .init(
        "hba_file", destination.stateDirectory + "/pg_hba.conf",
        comment: "trust on that socket only, then the backup's own pg_hba.conf"))
    lines.append(
      .init("logging_collector", "off", comment: "the log goes to \(destination.stateDirectory)/server.log"))
    lines.append(.init("lc_messages", "C", comment: "pitr reads the server's messages in English"))
    if plan.destination.archiving.value == .off {
      lines.append(
        .init("archive_mode", "off", comment: "the restored clone must not write into the source's archive"))
    }
    var notes: [(String, SourceLocation)] = []
    if let control = evaluation.backup.control {
      let floor = SettingsFloor.apply(control: control, settings: plan.destination.settings)
      lines += floor.lines
      notes = floor.notes
    }
    if plan.destination.recoveryTuning.value == .auto {
      let chain = catalog.chain(of: evaluation.backup).backups
      let restored = chain.count > 1 ? CombineSpace(chain: chain)?.total : evaluation.backup.expandedSize
      let room = environment.freeBytes(at: plan.destination.dataDirectory.value).map { $0 - (restored ?? 0) }
      lines += RecoveryTuningSettings.lines(
        memoryBytes: environment.memoryBytes, walRoomBytes: room, major: evaluation.backup.pgVersion,
        planned: plan.destination.settings)
    }
    for setting in plan.destination.settings where !SettingsFloor.isFloored(setting.name.value) {
      guard !Self.restoreOwnedSettings.contains(setting.name.value.lowercased()) else {
        notes.append(
          (
            "\(setting.name.value) applies once the server is handed over after promotion; while it "
              + "recovers pitr keeps its own (its private socket, pg_hba.conf and log)", setting.value.location
          ))
        continue
      }
      lines.append(.init(setting.name.value, setting.value.value, comment: "from the plan"))
    }
    return (RecoveryConfiguration(lines: lines), notes)
  }

  /// Settings pitr needs its own values of while the server recovers (to connect and read
  /// the log): a plan's values for them go only into the handed-over server's configuration.
  static let restoreOwnedSettings: Set<String> = [
    "unix_socket_directories", "hba_file", "logging_collector", "lc_messages",
  ]

  /// What the compilation relied on, so `apply` can refuse a stale compiled plan: the
  /// backup, the segments from its start to the predicted stop (all of them for `latest`),
  /// and the history files. Segments archived after the stop do not make a plan stale: a
  /// live source keeps archiving while a compiled plan waits for review.
  /// The archived segments recovery reads (from the backup's start along the target's
  /// timeline to the predicted last one), as `FIRST-LAST` runs of one timeline each: wal-fetch
  /// (`--needs`) stops recovery when one of them is gone, rather than let it end there.
  private func archivedRuns(_ evaluation: TargetEvaluation, prediction: Prediction) -> [String] {
    guard let last = prediction.lastSegment else { return [] }
    let size = index.archive.segmentSize ?? .sixteenMiB
    let number = { (name: WALSegmentName) in name.segmentNumber(size: size) ?? 0 }
    var runs: [(first: WALSegmentName, last: WALSegmentName)] = []
    for name in index.segments(along: evaluation.target.timeline, from: evaluation.backup.label.startLSN) {
      guard number(name) <= number(last) else { break }
      if let previous = runs.last, previous.last.timeline == name.timeline, number(previous.last) + 1 == number(name) {
        runs[runs.count - 1].last = name
      } else {
        runs.append((name, name))
      }
      if name == last { break }
    }
    return runs.map { "\($0.first)-\($0.last)" }
  }

  private func fingerprint(_ evaluation: TargetEvaluation, _ prediction: Prediction) -> String {
    var text = ""
    // Every backup restored: the chosen one, or its incremental chain (full backup first).
    for backup in catalog.chain(of: evaluation.backup).backups {
      text += "backup \(backup.id) \(backup.path) \(backup.label.startLSN)\n"
      // A store's version (an S3 ETag) too: an object rewritten with the same size is a change.
      for file in backup.files { text += "\(file.name) \(file.size)\(file.version.map { " " + $0 } ?? "")\n" }
    }
    var path = index.segments(along: evaluation.target.timeline, from: evaluation.backup.label.startLSN)
    if prediction.stopLSN != nil, let last = prediction.lastSegment, let end = path.firstIndex(of: last) {
      path = Array(path[...end])
    }
    let needed = Set(path)
    for segment in catalog.archive.segments where needed.contains(segment.name) {
      text += "\(segment.name) \(segment.path) \(segment.size) \(segment.modified)"
      text += "\(segment.version.map { " " + $0 } ?? "")\n"
    }
    for history in catalog.archive.historyFiles { text += "history \(history.path)\n" }
    return Self.sha256(text)
  }

  /// The plan hash a compiled plan and a restore's journal carry: SHA-256 of the file's text.
  public static func planHash(of planText: String) -> String { sha256(planText) }

  static func sha256(_ text: String) -> String {
    SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
  }
}
