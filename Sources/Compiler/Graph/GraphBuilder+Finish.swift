import Catalog
import PlanModel

extension GraphBuilder {
  /// `finish`, once the server promoted (after `await-target` for `promote`, after
  /// `promote` for `promote-if-verified`); none for `pause` and `shutdown`, which keep the
  /// restore's settings (an advance needs them). It needs what the steps before it `made`.
  func finish(after made: [Artifact]) -> Step? {
    let action = plan.action.value
    guard action == .promote || action == .promoteIfVerified else { return nil }
    // After the checks too: they connect through the socket the restart takes away.
    let inputs: [Artifact] =
      made.contains(.promoted) ? [.promoted] : [.targetReached, .checksPassed].filter(made.contains)
    guard !inputs.isEmpty else { return nil }
    let data = destination.dataDirectory
    let state = destination.stateDirectory
    let connection = ServerConnection(destination)
    let configuration = FinishedConfiguration(
      backupText: backup.configurationFiles["postgresql.auto.conf"],
      record: .init(
        planName: plan.name.value, planFile: plan.file, backupID: backup.id, backupPath: backup.path,
        targetSettings: target.settings, action: action.rawValue, predictedStop: prediction.stopMessage,
        stateDirectory: state),
      port: destination.port, settings: plan.destination.settings, archiving: plan.destination.archiving.value,
      pgVersion: backup.pgVersion)
    // The compiler refused values that cannot be quoted before it built the graph.
    let text = configuration.text ?? ""
    let restart: [ArgumentTemplate] = [
      .serverBinary("pg_ctl"), .literal("-D"), .literal(data), .literal("-l"), .literal(connection.logFile),
      .literal("-o"), .literal("-p \(destination.port)"), .literal("-m"), .literal("fast"), .literal("-w"),
      .literal("-t"), .literal("300"), .literal("restart"),
    ]
    let archiving =
      plan.destination.archiving.value == .off
      ? "archiving off, archive_command 'false' (never the source's archive)"
      : "archiving as the backup has it (archiving: keep)"
    return Step(
      action: .finish(
        .init(
          files: [FileContent(path: "\(data)/postgresql.auto.conf", content: text, owner: destination.osUser)],
          restart: restart, runsAsServerUser: destination.osUser != nil, connection: connection,
          port: destination.port, timeout: 660)),
      summary: "hand the promoted server over: no recovery settings, its own pg_hba.conf and socket",
      inputs: inputs, outputs: [.finished],
      details: [
        "postgresql.auto.conf: the backup's own, a record of this restore, port \(destination.port), the plan's settings, \(archiving)",
        "restart the server while it still runs with the restore's socket in \(state), then check it answers on port \(destination.port)",
        "\(state) is not needed to run the server afterwards",
      ])
  }
}
