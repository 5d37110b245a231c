import Execution
import Foundation
import Testing
import _PITRTestSupport

/// What goes wrong with a backup host while `pitr apply` reads it over SSH, against a real
/// sshd on loopback: the connection dropped mid-stream (a file stream resumes; the folder
/// streamed as one tar cannot), a file removed after it was listed. Each failure is told with its exit code, the extract step is not
/// recorded as done, and a run after the host is fixed restores.
@Suite(
  .tags(.integration), .serialized,
  .enabled(if: PostgresLab.isAvailable && SSHServer.isAvailable))
struct ApplySSHFailureTests {
  /// A lab whose backup holds about 40 MiB of table data, kept in seed 000's dated layout.
  static func lab(_ name: String, format: PostgresLab.BackupFormat) throws -> (PostgresLab, String) {
    let lab = try PostgresLab(name: name, archive: .plainFlat)
    do {
      try lab.sql("CREATE TABLE relleno AS SELECT i, repeat(md5(i::text), 8) AS t FROM generate_series(1, 140000) i")
      try lab.baseBackup(into: "backup_base", format: format, wal: .stream, label: "laboratorio_pitr")
      try lab.sql("SELECT pg_create_restore_point('punto_laboratorio')")
      try lab.switchWAL()
      try lab.stop()
      return (lab, try ApplySSHTests.datedHost(lab))
    } catch {
      lab.remove()
      throw error
    }
  }

  /// The plan restoring the dated host `host` as root into `sandbox`.
  static func plan(
    _ lab: PostgresLab, _ server: SSHServer, host: String, sandbox: RestoreSandbox, name: String
  ) throws -> String {
    let url = "ssh://root@127.0.0.1:\(server.port)"
    return try lab.directory.write(
      ApplyRemote.planText(
        base: "\(url)\(host)", wal: "\(url)\(host)/wal", target: "  name: punto_laboratorio", sandbox: sandbox),
      to: "\(name).yaml")
  }

  @Test func aTarBackupResumesADroppedStreamAndToldAFileRemovedAfterItWasListed() throws {
    let (lab, host) = try Self.lab("ssh-tar-failures", format: .tar(compression: .none))
    defer { lab.remove() }
    let server = try SSHServer()
    defer { server.remove() }
    let environment = ["PITR_SSH_CONFIG": try ApplySSHTests.configForPostgres(server, in: lab)]

    // Dropped past base.tar's first 8 MiB (its stream from `tail -c +N`): resumed, restored.
    let resumed = try RestoreSandbox(in: lab.directory.path, name: "resumed")
    defer { resumed.remove() }
    let resumedPlan = try Self.plan(lab, server, host: host, sandbox: resumed, name: "resumed")
    let running = try ApplyPausedMidExtraction(
      plan: resumedPlan, sandbox: resumed, environment: environment, bytes: 12 << 20)
    server.dropConnections()
    let finished = running.finish()
    defer { resumed.stopServer() }
    #expect(finished.status == 0, "\(finished.standardError)\n\(finished.standardOutput)")
    #expect(try resumed.sql("SELECT count(*) FROM relleno") == "140000")
    resumed.stopServer()

    // pg_wal.tar removed while base.tar is extracted: told at its turn.
    let vanished = try RestoreSandbox(in: lab.directory.path, name: "vanished")
    defer { vanished.remove() }
    let vanishedPlan = try Self.plan(lab, server, host: host, sandbox: vanished, name: "vanished")
    let walTar = "\(host)/2025/07/08/backup_base/pg_wal.tar"
    let kept = lab.directory.file("pg_wal.tar.kept")
    let paused = try ApplyPausedMidExtraction(plan: vanishedPlan, sandbox: vanished, environment: environment)
    try FileManager.default.moveItem(atPath: walTar, toPath: kept)
    let failed = paused.finish()
    #expect(failed.status == 1, "\(failed.standardError)\n\(failed.standardOutput)")
    #expect(
      failed.standardError.contains(
        "ssh://root@127.0.0.1:\(server.port)\(walTar) changed while it was read: it vanished after it was listed"),
      "\(failed.standardError)")
    #expect(ApplyRemote.stepStatus("extract-base", in: vanished) != .done)

    try FileManager.default.moveItem(atPath: kept, toPath: walTar)
    let again = try ApplyTests.Command.pitr(["apply", vanishedPlan, "--yes"], in: vanished, environment: environment)
    defer { vanished.stopServer() }
    #expect(again.status == 0, "\(again.standardError)\n\(again.standardOutput)")
    #expect(try vanished.sql("SELECT count(*) FROM relleno") == "140000")
  }

  @Test func aPlainBackupStreamedAsOneTarToldADropThatCannotResume() throws {
    let (lab, host) = try Self.lab("ssh-plain-failures", format: .plain)
    defer { lab.remove() }
    let server = try SSHServer()
    defer { server.remove() }
    let environment = ["PITR_SSH_CONFIG": try ApplySSHTests.configForPostgres(server, in: lab)]
    let folder = "\(host)/2025/07/08/backup_base"

    // Dropped mid-tar: cannot resume, told; a run after restores.
    let dropped = try RestoreSandbox(in: lab.directory.path, name: "dropped")
    defer { dropped.remove() }
    let droppedPlan = try Self.plan(lab, server, host: host, sandbox: dropped, name: "dropped")
    let running = try ApplyPausedMidExtraction(plan: droppedPlan, sandbox: dropped, environment: environment)
    server.dropConnections()
    let failed = running.finish()
    #expect(failed.status == 1, "\(failed.standardError)\n\(failed.standardOutput)")
    #expect(
      failed.standardError.contains(
        "the connection to ssh://root@127.0.0.1:\(server.port) dropped while streaming the folder \(folder) as a tar at byte "
      ),
      "\(failed.standardError)")
    #expect(
      failed.standardError.contains("; a tar stream cannot resume, so nothing of it is kept: run the command again"),
      "\(failed.standardError)")
    #expect(ApplyRemote.stepStatus("extract-base", in: dropped) != .done)
    let again = try ApplyTests.Command.pitr(["apply", droppedPlan, "--yes"], in: dropped, environment: environment)
    #expect(again.status == 0, "\(again.standardError)\n\(again.standardOutput)")
    #expect(try dropped.sql("SELECT count(*) FROM relleno") == "140000")
    dropped.stopServer()
  }
}
