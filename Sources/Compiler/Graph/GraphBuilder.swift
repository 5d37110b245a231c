import Catalog
import PlanModel
import WAL

/// Builds the step graph of a compiled plan: which steps there are, what each needs and
/// makes, and each one's resolved action (the command it runs, the bytes it writes).
struct GraphBuilder {
  let plan: Plan
  let backup: BaseBackup
  /// The backups restored: `backup` alone, or its incremental chain (full backup first),
  /// combined by pg_combinebackup.
  let chain: [BaseBackup]
  let destination: CompiledPlan.ResolvedDestination
  let configurationText: String
  let prediction: Prediction
  let target: ResolvedTarget
  /// The archive's index, for the segments to prefetch and their files.
  let index: WALIndex
  /// The segment `pitr apply` archived by switching WAL on the source before compiling.
  let switchedSegment: String?

  private var data: String { destination.dataDirectory }
  private var state: String { destination.stateDirectory }
  private var connection: ServerConnection { ServerConnection(destination) }

  func build() -> StepGraph {
    var steps = preparation()
    steps += extraction()
    if plan.destination.walPrefetch?.value != .off { steps.append(prefetch()) }
    steps += recoveryFiles()
    steps.append(startServer(needs: steps))
    steps += recoveryAndAction()
    return StepGraph(steps: steps)
  }

  /// `pitr advance`: the destination holds a restore paused at an earlier target. Stop its
  /// server, write postgresql.auto.conf whole again with the new target (the backup's own
  /// text and pitr's block, so nothing depends on pitr's markers having survived an
  /// `ALTER SYSTEM`), start it, and follow it to the new target; then the plan's checks and
  /// action. Nothing is extracted or fetched ahead again.
  func buildAdvance() -> StepGraph {
    let stop: [ArgumentTemplate] = [
      .serverBinary("pg_ctl"), .literal("-D"), .literal(data), .literal("-m"), .literal("fast"), .literal("-w"),
      .literal("stop"),
    ]
    var steps = [
      Step(
        id: "stop-paused-server",
        action: .stopServer(
          .init(
            connection: connection, command: stop, runsAsServerUser: destination.osUser != nil,
            keepLogAs: "\(connection.logFile).previous")),
        summary: "stop the paused server (fast: it is read-only, nothing is lost)", outputs: [.serverStopped],
        details: [
          "recovery.signal stays: on start PostgreSQL goes on recovering from its last restartpoint",
          "its log is appended to \(connection.logFile).previous, so the new stop is read from a fresh log",
        ]),
      Step(
        action: .writeRecoveryConfig(
          .init(files: [
            FileContent(
              path: "\(data)/postgresql.auto.conf", content: autoConfiguration, owner: destination.osUser)
          ])),
        summary: "write postgresql.auto.conf again with the new target",
        inputs: [.serverStopped], outputs: [.recoveryConfig],
        details: ["the whole file: the backup's own, then pitr's block with the new target"]),
    ]
    steps.append(startServer(needs: steps))
    steps += recoveryAndAction()
    return StepGraph(steps: steps)
  }

  private var autoConfiguration: String {
    RestoredFiles.autoConfiguration(
      backupText: backup.configurationFiles["postgresql.auto.conf"], block: configurationText)
  }

  // MARK: - Before extraction

  private func preparation() -> [Step] {
    var steps: [Step] = []
    if plan.source?.switchWAL.value == true {
      let folders = destination.walFolders
      let conninfo = plan.source?.conninfo?.value ?? ""
      var details = [
        "connect to the source (\(conninfo.isEmpty ? "?" : conninfo)), run "
          + "SELECT pg_walfile_name(pg_switch_wal()), and wait until that segment is in "
          + folders.joined(separator: ", ")
      ]
      details.append(
        switchedSegment.map { "done by pitr apply before it checked the plan: \($0) is archived" }
          ?? "pitr apply PLAN does this before it checks the plan (a dry run does not)")
      steps.append(
        Step(
          action: .switchSourceWAL(
            .init(conninfo: conninfo, walFolders: folders, archivedSegment: switchedSegment, timeout: 300)),
          summary: "switch WAL on the live source and wait until it is archived",
          outputs: [.sourceWALSwitched], details: details))
    }
    steps.append(
      Step(
        action: .checkDestination(.init(dataDirectory: data, port: destination.port, lock: "\(state)/lock")),
        summary: "check again that \(data) is absent or empty and port \(destination.port) is free",
        inputs: steps.isEmpty ? [] : [.sourceWALSwitched], outputs: [.destinationChecked],
        details: ["take the lock \(state)/lock; refuse if another run holds it"]))
    steps.append(
      Step(
        action: .createDataDirectory(
          .init(dataDirectory: data, stateDirectory: state, spool: "\(state)/spool", owner: destination.osUser)),
        summary: "create \(data) (mode 0700) and \(state)",
        inputs: [.destinationChecked], outputs: [.dataDirectory],
        details: destination.osUser.map { ["owned by \($0)"] } ?? []))
    return steps
  }

  // MARK: - Extraction and prefetch

  private func extraction() -> [Step] {
    var steps = chain.count > 1 ? [combination()] : [extractBaseStep()]
    let extractedBy = chain.count > 1 ? "combine-backups" : "extract-base"
    if let walFile = backup.files.first(where: { $0.role == .wal }) {
      let count = backup.includedSegments.count
      steps.append(
        Step(
          action: .extractWAL(.init(walDirectory: "\(data)/pg_wal", segments: backup.includedSegments)),
          summary: "extract the WAL the backup carries into \(data)/pg_wal",
          inputs: [.baseFiles], outputs: [.backupWAL],
          details: [
            "from \(backup.path)/\(walFile.name) (\(count) segment\(count == 1 ? "" : "s"))",
            "written in \(extractedBy)'s pass over the backup (the manifest is checked across all its archives); this step checks the segments arrived",
          ]))
    }
    for tablespace in destination.tablespaces {
      steps.append(
        Step(
          id: "extract-tablespace-\(tablespace.oid)",
          action: .extractTablespace(.init(oid: tablespace.oid, location: tablespace.location, dataDirectory: data)),
          summary: "extract tablespace \(tablespace.oid) into \(tablespace.location)",
          inputs: [.baseFiles], outputs: [.tablespace(tablespace.oid)],
          details: [
            "from \(tablespace.archive.map { "\(backup.path)/\($0)" } ?? "the backup")",
            "tablespace_map: \(tablespace.originalLocation) -> \(tablespace.location)",
            "written in \(extractedBy)'s pass over the backup; this step checks that tablespace_map (tar) or the pg_tblspc/\(tablespace.oid) link (plain) points there",
          ]))
    }
    return steps
  }

  private func extractBaseStep() -> Step {
    let baseFile = backup.files.first { $0.role == .base }
    let source = baseFile.map { "\(backup.path)/\($0.name)" } ?? backup.path
    var details = ["from \(source) (\(Self.how(backup)))"]
    if case .verified(let manifest) = backup.manifest {
      details.append("checking each of \(manifest.fileCount) files against backup_manifest as it is written")
    }
    if let size = backup.expandedSize { details.append("\(ByteCount.describe(size)) in all") }
    return Step(
      action: .extractBase(
        .init(
          backupFolder: backup.path, format: backup.format.rawValue, archives: Self.archives(of: backup),
          dataDirectory: data, tablespaces: destination.tablespaces.map { .init(oid: $0.oid, location: $0.location) },
          owner: destination.osUser)),
      summary: "extract base backup \(backup.id) into \(data)",
      inputs: [.dataDirectory], outputs: [.baseFiles], details: details)
  }

  /// An incremental backup (17+): its chain extracted into `<state>/combine`, then
  /// pg_combinebackup writes the data directory from it.
  private func combination() -> Step {
    let staging = "\(state)/combine"
    let mode = plan.destination.combineMode?.value ?? .copy
    let members = chain.map { member in
      StepAction.CombineBackups.Member(
        id: member.id, backupFolder: member.path, format: member.format.rawValue,
        stagingFolder: "\(staging)/\(member.id)", tablespaceStaging: "\(staging)/\(member.id).tablespaces")
    }
    let last = members[members.count - 1]
    let relocations = destination.tablespaces.sorted { $0.oid < $1.oid }
    // pg_combinebackup takes each tablespace of the last backup from where its staged
    // pg_tblspc/<oid> link points, and writes it where -T says.
    let mappings: [ArgumentTemplate] = relocations.flatMap { tablespace -> [ArgumentTemplate] in
      let old = Self.mappingPath("\(last.tablespaceStaging)/\(tablespace.oid)")
      return [.literal("-T"), .literal("\(old)=\(Self.mappingPath(tablespace.location))")]
    }
    let command: [ArgumentTemplate] =
      [
        .serverBinary("pg_combinebackup"), .literal("-o"), .literal(data), .literal("--\(mode.rawValue)"),
        .literal("--no-sync"),
      ]
      + mappings + members.map { .literal($0.stagingFolder) }
    var details = ["the chain, full backup first: " + chain.map(\.id).joined(separator: " -> ")]
    for member in chain {
      var line = "extract \(member.id) from \(member.path) (\(Self.how(member))) into \(staging)/\(member.id)"
      if case .verified(let manifest) = member.manifest {
        line += ", checking its \(manifest.fileCount) files against its backup_manifest"
      }
      details.append(line)
    }
    if !relocations.isEmpty {
      details.append(
        "each backup's tablespaces into \(staging)/ID.tablespaces/OID, linked from its pg_tblspc/OID (a tar "
          + "backup's tablespace_map is left out: the links replace it); pg_combinebackup then writes "
          + relocations.map { "tablespace \($0.oid) into \($0.location)" }.joined(separator: ", ")
          + " (-T), with \(data)/pg_tblspc linking there")
    }
    details.append(
      "then pg_combinebackup writes \(data) from them (--\(mode.rawValue), --no-sync: one syncfs per file "
        + "system then makes it durable, not an fsync per file), pg_verifybackup checks it against the "
        + "backup_manifest pg_combinebackup wrote there (no WAL in it to parse), and \(staging) is removed")
    let space = CombineSpace(chain: chain)
    if let space {
      details.append(
        "space: \(ByteCount.describe(space.staging)) staged, up to \(ByteCount.describe(space.result)) combined, "
          + "\(ByteCount.describe(space.total)) at most while both exist")
    }
    return Step(
      action: .combineBackups(
        .init(
          backups: members, staging: staging, dataDirectory: data,
          tablespaces: relocations.map { .init(oid: $0.oid, location: $0.location) }, command: command,
          verifyCommand: [.serverBinary("pg_verifybackup"), .literal("--no-parse-wal"), .literal(data)],
          runsAsServerUser: destination.osUser != nil, stagingBytes: space?.staging, resultBytes: space?.result,
          owner: destination.osUser)),
      summary: "combine incremental backup \(backup.id) with its chain into \(data) (pg_combinebackup)",
      inputs: [.dataDirectory], outputs: [.baseFiles], details: details)
  }

  /// A path as pg_combinebackup's `-T OLDDIR=NEWDIR` reads it: an `=` in it escaped.
  static func mappingPath(_ path: String) -> String {
    path.split(separator: "=", omittingEmptySubsequences: false).joined(separator: "\\=")
  }

  static func how(_ backup: BaseBackup) -> String {
    backup.format == .plain ? "plain copy" : backup.compression == "none" ? "tar" : "tar, \(backup.compression)"
  }

  /// A tar backup's archives (`base.tar.gz`, `pg_wal.tar.gz`, `16390.tar.gz`).
  private static func archives(of backup: BaseBackup) -> [String] {
    backup.format == .plain ? [] : backup.files.filter { $0.role != .manifest && $0.role != .other }.map(\.name)
  }

  /// The archived segments recovery will ask for, from the backup's start along the
  /// target's timeline up to the one it stops in (all of them for `latest`).
  private func segmentsToPrefetch() -> [StepAction.PrefetchWAL.Segment] {
    let size = index.archive.segmentSize ?? .sixteenMiB
    let last = prediction.lastSegment.flatMap { $0.segmentNumber(size: size) } ?? .max
    var segments: [StepAction.PrefetchWAL.Segment] = []
    for name in index.segments(along: target.timeline, from: backup.label.startLSN) {
      guard (name.segmentNumber(size: size) ?? 0) <= last else { break }
      if let path = index.path(of: name) { segments.append(.init(name: name, source: path)) }
    }
    return segments
  }

  private func prefetch() -> Step {
    Step(
      action: .prefetchWAL(
        .init(
          spool: "\(state)/spool", segments: segmentsToPrefetch(), owner: destination.osUser,
          walDirectory: "\(data)/pg_wal")),
      summary: "prefetch the WAL recovery will ask for", inputs: [.dataDirectory], outputs: [.walSpool],
      details: [
        "decompress \(prediction.fetchDescription())",
        "into \(state)/spool while the base is extracted, then beside recovery",
        "the server does not wait for it: a segment not spooled yet is read from the archive",
      ])
  }

  // MARK: - Recovery

  private func recoveryFiles() -> [Step] {
    let autoConf = autoConfiguration
    let hba = RestoredFiles.hostBasedAuthentication(
      backupText: backup.configurationFiles["pg_hba.conf"], stateDirectory: state)
    let owner = destination.osUser
    return [
      Step(
        action: .writeRecoveryConfig(
          .init(files: [
            FileContent(path: "\(data)/postgresql.auto.conf", content: autoConf, owner: owner),
            FileContent(path: "\(state)/pg_hba.conf", content: hba, owner: owner),
          ])),
        summary: "write the recovery settings into postgresql.auto.conf",
        inputs: [.baseFiles], outputs: [.recoveryConfig],
        details: [
          "postgresql.auto.conf: the backup's own"
            + (backup.configurationFiles["postgresql.auto.conf"] == nil ? " (it has none)" : "")
            + ", then pitr's block; pg_hba.conf: trust on the private socket, then the backup's own"
        ]),
      Step(
        action: .writeSignal(.init(files: [FileContent(path: "\(data)/recovery.signal", content: "", owner: owner)])),
        summary: "create recovery.signal", inputs: [.baseFiles], outputs: [.recoverySignal]),
    ]
  }

  /// `pg_ctl start`, once every file the server reads is in place (all the steps so far
  /// that make something it needs: the files, the WAL, the tablespaces). Not the spool: the
  /// prefetch goes on beside recovery, ahead of it, on the other core.
  private func startServer(needs steps: [Step]) -> Step {
    let wanted: Set<Artifact> = [.recoveryConfig, .recoverySignal, .backupWAL]
    let inputs = steps.flatMap(\.outputs).filter { wanted.contains($0) || $0.name.hasPrefix("tablespace-") }
    let command: [ArgumentTemplate] = [
      .serverBinary("pg_ctl"), .literal("-D"), .literal(data), .literal("-l"), .literal(connection.logFile),
      .literal("-o"), .literal("-p \(destination.port)"), .literal("-W"), .literal("start"),
    ]
    return Step(
      action: .startServer(
        .init(command: command, runsAsServerUser: destination.osUser != nil, connection: connection, timeout: 120)),
      summary: "start the server on port \(destination.port)", inputs: inputs.sorted(), outputs: [.runningServer])
  }

  private func recoveryAndAction() -> [Step] {
    let action = plan.action.value
    let reached: String =
      switch action {
      case .promote: "until the server has promoted itself"
      case .pause, .promoteIfVerified: "until recovery pauses at the target"
      case .shutdown: "until the server shuts down at the target"
      }
    var steps = [
      Step(
        action: .awaitTarget(
          .init(
            connection: connection, action: action, predictedStop: prediction.stopMessage,
            predictedStopLSN: prediction.stopLSN)),
        summary: "follow the log and the server \(reached)", inputs: [.runningServer], outputs: [.targetReached],
        details: [
          prediction.stopMessage.map { "expect PostgreSQL to log: \($0)" }
            ?? "expect recovery to replay all the archived WAL",
          "fail with the log excerpt on any FATAL of recovery",
        ])
    ]
    let checks = plan.verify
    if !checks.isEmpty {
      steps.append(
        Step(
          action: .verify(.init(connection: connection, checks: checks)),
          summary: "run \(checks.count) check\(checks.count == 1 ? "" : "s") on the restored server",
          inputs: [.targetReached], outputs: [.checksPassed],
          details: checks.map { "\($0.label) (database \($0.database.value))" }))
    }
    switch action {
    case .promoteIfVerified:
      steps.append(
        Step(
          action: .promote(.init(connection: connection, timeout: 120)),
          summary: "promote (SELECT pg_promote()) only if every check passed",
          inputs: [.checksPassed], outputs: [.promoted],
          details: ["if a check fails, leave the server paused and exit 1"]))
    case .shutdown:
      steps.append(
        Step(
          action: .stopServer(.init(connection: connection)), summary: "confirm the server stopped at the target",
          inputs: [.targetReached], outputs: [.stopped]))
    case .promote, .pause:
      break
    }
    if let finish = finish(after: steps.flatMap(\.outputs)) { steps.append(finish) }
    return steps
  }
}
