import Catalog
import PlanModel

/// Builds the step graph of a compiled plan: which steps there are, what each needs and
/// makes, and the command or file of each.
struct GraphBuilder {
  let plan: Plan
  let backup: BaseBackup
  let destination: CompiledPlan.ResolvedDestination
  let configuration: RecoveryConfiguration
  let configurationText: String
  let prediction: Prediction
  let target: ResolvedTarget

  func build() -> StepGraph {
    var steps: [Step] = []
    let data = destination.dataDirectory
    let switching = plan.source?.switchWAL.value == true
    if switching {
      steps.append(
        Step(
          kind: .switchSourceWAL, summary: "switch WAL on the live source and wait until it is archived",
          outputs: [.sourceWALSwitched],
          details: [
            "connect to the source (\(plan.source?.conninfo?.value ?? "?")), run "
              + "SELECT pg_walfile_name(pg_switch_wal()), and wait until that segment is in "
              + destination.walFolders.joined(separator: ", ")
          ]))
    }
    steps.append(
      Step(
        kind: .checkDestination, summary: "check again that \(data) is absent or empty and port \(destination.port) is free",
        inputs: switching ? [.sourceWALSwitched] : [], outputs: [.destinationChecked],
        details: ["take the lock \(destination.stateDirectory)/lock; refuse if another run holds it"]))
    steps.append(
      Step(
        kind: .createDataDirectory, summary: "create \(data) (mode 0700) and \(destination.stateDirectory)",
        inputs: [.destinationChecked], outputs: [.dataDirectory],
        details: destination.osUser.map { ["owned by \($0)"] } ?? []))
    let baseFile = backup.files.first { $0.role == .base }
    let source = baseFile.map { "\(backup.path)/\($0.name)" } ?? backup.path
    var baseDetails = [
      "from \(source) (\(backup.format == .plain ? "plain copy" : backup.compression == "gzip" ? "tar, gzip" : "tar"))"
    ]
    if case .verified(let manifest) = backup.manifest {
      baseDetails.append("checking each of \(manifest.fileCount) files against backup_manifest as it is written")
    }
    if let size = backup.expandedSize {
      baseDetails.append("\(ByteCount.describe(size)) in all")
    }
    steps.append(
      Step(
        kind: .extractBase, summary: "extract base backup \(backup.id) into \(data)",
        inputs: [.dataDirectory], outputs: [.baseFiles], details: baseDetails))
    var serverInputs: [Artifact] = [.recoveryConfig, .recoverySignal, .walSpool]
    if let walFile = backup.files.first(where: { $0.role == .wal }) {
      steps.append(
        Step(
          kind: .extractWAL, summary: "extract the WAL the backup carries into \(data)/pg_wal",
          inputs: [.baseFiles], outputs: [.backupWAL],
          details: [
            "from \(backup.path)/\(walFile.name) (\(backup.includedSegments.count) segment\(backup.includedSegments.count == 1 ? "" : "s"))",
            "written in extract-base's pass over the backup (the manifest is checked across all its archives); this step checks the segments arrived",
          ]))
      serverInputs.append(.backupWAL)
    }
    for tablespace in destination.tablespaces {
      steps.append(
        Step(
          id: "extract-tablespace-\(tablespace.oid)", kind: .extractTablespace,
          summary: "extract tablespace \(tablespace.oid) into \(tablespace.location)",
          inputs: [.baseFiles], outputs: [.tablespace(tablespace.oid)],
          details: [
            "from \(tablespace.archive.map { "\(backup.path)/\($0)" } ?? "the backup")",
            "tablespace_map: \(tablespace.originalLocation) -> \(tablespace.location)",
            "written in extract-base's pass over the backup; this step checks that tablespace_map (tar) or the pg_tblspc/\(tablespace.oid) link (plain) points there",
          ]))
      serverInputs.append(.tablespace(tablespace.oid))
    }
    let prefetch = [
      "decompress \(prediction.fetchDescription())",
      "into \(destination.stateDirectory)/spool while the base is extracted",
    ]
    steps.append(
      Step(
        kind: .prefetchWAL, summary: "prefetch the WAL recovery will ask for",
        inputs: [.dataDirectory], outputs: [.walSpool], details: prefetch))
    steps.append(
      Step(
        kind: .writeRecoveryConfig, summary: "write the recovery settings into postgresql.auto.conf",
        inputs: [.baseFiles], outputs: [.recoveryConfig],
        file: FileContent(path: "\(data)/postgresql.auto.conf", content: configurationText, mode: .replaceBlock),
        details: [
          "writes \(destination.stateDirectory)/pg_hba.conf: 'local all all trust' (the private "
            + "socket), then the backup's pg_hba.conf"
        ]))
    steps.append(
      Step(
        kind: .writeSignal, summary: "create recovery.signal",
        inputs: [.baseFiles], outputs: [.recoverySignal],
        file: FileContent(path: "\(data)/recovery.signal", content: "", mode: .create)))
    steps.append(
      Step(
        kind: .startServer, summary: "start the server on port \(destination.port)",
        inputs: serverInputs.sorted(), outputs: [.runningServer],
        command: [
          .serverBinary("pg_ctl"), .literal("-D"), .literal(data), .literal("-l"),
          .literal("\(destination.stateDirectory)/server.log"), .literal("-o"),
          .literal("-p \(destination.port)"), .literal("-W"), .literal("start"),
        ], runsAsServerUser: destination.osUser != nil))
    let action = plan.action.value
    let awaitDetail = prediction.stopMessage.map { "expect PostgreSQL to log: \($0)" } ?? "expect recovery to replay all the archived WAL"
    let reached: String =
      switch action {
      case .promote: "until the server has promoted itself"
      case .pause, .promoteIfVerified: "until recovery pauses at the target"
      case .shutdown: "until the server shuts down at the target"
      }
    steps.append(
      Step(
        kind: .awaitTarget, summary: "follow the log and the server \(reached)",
        inputs: [.runningServer], outputs: [.targetReached],
        details: [awaitDetail, "fail with the log excerpt on any FATAL of recovery"]))
    if !plan.verify.isEmpty {
      steps.append(
        Step(
          kind: .verify, summary: "run \(plan.verify.count) check\(plan.verify.count == 1 ? "" : "s") on the restored server",
          inputs: [.targetReached], outputs: [.checksPassed],
          details: plan.verify.map { "\($0.label) (database \($0.database.value))" }))
    }
    switch action {
    case .promoteIfVerified:
      steps.append(
        Step(
          kind: .promote, summary: "promote (SELECT pg_promote()) only if every check passed",
          inputs: [.checksPassed], outputs: [.promoted],
          details: ["if a check fails, leave the server paused and exit 1"]))
    case .shutdown:
      steps.append(
        Step(
          kind: .stopServer, summary: "confirm the server stopped at the target",
          inputs: [.targetReached], outputs: [.stopped]))
    case .promote, .pause:
      break
    }
    return StepGraph(steps: steps)
  }
}
