import Execution
import Foundation
import Testing
import _PITRTestSupport

/// Seed 000 kept on a backup host and restored over SSH: its plain base backup in
/// `YYYY/MM/DD/`, its WAL by day in `wal/YYYY-MM-DD/`, served by a real sshd on loopback;
/// the plan names both as `ssh://root@127.0.0.1:PORT/…`. `PITR_SSH_CONFIG` names the test's
/// ssh configuration (its key and known_hosts), for pitr and for the restored server's
/// `restore_command` (`pitr wal-fetch --wal ssh://…`, run as `postgres`).
@Suite(
  .tags(.integration), .serialized,
  .enabled(if: PostgresLab.isAvailable && SSHServer.isAvailable))
struct ApplySSHTests {
  @Test func seed000RestoresFromTheBackupHostToItsRestorePoint() throws {
    let lab = try PostgresLab(name: "apply-ssh", archive: .plainFlat)
    defer { lab.remove() }
    try lab.baseBackup(into: "backup_base", format: .plain, wal: .stream, label: "laboratorio_pitr")
    try lab.sql("CREATE TABLE laboratorio_pitr (id SERIAL PRIMARY KEY, nombre TEXT NOT NULL)")
    try lab.sql("INSERT INTO laboratorio_pitr (nombre) VALUES ('registro_1'), ('registro_2')")
    try lab.sql("SELECT pg_create_restore_point('punto_laboratorio')")
    try lab.switchWAL()
    try lab.sql("INSERT INTO laboratorio_pitr (nombre) VALUES ('registro_3')")
    try lab.switchWAL()
    try lab.stop()
    let server = try SSHServer()
    defer { server.remove() }
    let host = try Self.datedHost(lab)
    let config = try Self.configForPostgres(server, in: lab)
    let url = "ssh://root@127.0.0.1:\(server.port)"
    let sandbox = try RestoreSandbox(in: lab.directory.path, name: "ssh000")
    defer { sandbox.remove() }
    let planPath = try lab.directory.write(
      ApplyRemote.planText(
        base: "\(url)\(host)", wal: "\(url)\(host)/wal",
        target: "  name: punto_laboratorio\n  timeline: 1", sandbox: sandbox),
      to: "ssh-plan.yaml")

    let applied = try ApplyTests.Command.pitr(
      ["apply", planPath, "--yes"], in: sandbox, environment: ["PITR_SSH_CONFIG": config])
    defer { sandbox.stopServer() }

    #expect(applied.status == 0, "\(applied.standardError)\n\(applied.standardOutput)")
    if applied.status != 0 { return }
    #expect(
      applied.standardOutput.contains(
        "PostgreSQL stopped where pitr predicted: recovery stopping at restore point \"punto_laboratorio\""),
      "\(applied.standardOutput)")
    #expect(
      try sandbox.sql("SELECT string_agg(nombre, ',' ORDER BY id) FROM laboratorio_pitr")
        == "registro_1,registro_2")
    // pitr's own connection, and one the restore_command's wal-fetch calls shared, which apply
    // ended when it exited (its socket in the spool is gone).
    #expect(server.acceptedLogins() == 2)
    let shared = "\(sandbox.stateDirectory)/spool/ssh"
    #expect(FileManager.default.fileExists(atPath: shared))
    #expect(try FileManager.default.contentsOfDirectory(atPath: shared) == [])
  }

  @Test func anUnreachableHostStopsBeforeAnythingIsWritten() throws {
    let directory = try TemporaryDirectory("ssh-unreachable")
    defer { directory.remove() }
    let port = try SSHServer.freePort()
    let sandbox = try RestoreSandbox(in: directory.path, name: "gone")
    defer { sandbox.remove() }
    let planPath = try directory.write(
      ApplyRemote.planText(
        base: "ssh://root@127.0.0.1:\(port)/srv/backups",
        wal: "ssh://root@127.0.0.1:\(port)/srv/backups/wal",
        target: "  name: punto_laboratorio", sandbox: sandbox),
      to: "gone.yaml")

    let applied = try ApplyTests.Command.pitr(["apply", planPath, "--yes"], in: sandbox)

    #expect(applied.status == 2)
    #expect(
      applied.standardError == """
        \(planPath):4:9: error: cannot read ssh://root@127.0.0.1:\(port)/srv/backups: cannot \
        reach ssh://root@127.0.0.1:\(port) (ssh said: ssh: connect to host 127.0.0.1 port \
        \(port): Connection refused); check the host name and port, and that sshd runs there
            base: ssh://root@127.0.0.1:\(port)/srv/backups
                  ^
        \(planPath): invalid plan: 1 error

        """,
      "\(applied.standardError)")
    #expect(!FileManager.default.fileExists(atPath: sandbox.dataDirectory))
  }

  /// Copies the lab's backup and archive into seed 000's layout on the "host" (this machine,
  /// served by sshd): `2025/07/08/backup_base/…` and `wal/2025-07-08/<segment>`.
  static func datedHost(_ lab: PostgresLab) throws -> String {
    let host = lab.directory.file("backup-host")
    let day = "\(host)/2025/07/08"
    try FileManager.default.createDirectory(atPath: day, withIntermediateDirectories: true)
    try FileManager.default.copyItem(
      atPath: "\(lab.backupsDirectory)/backup_base", toPath: "\(day)/backup_base")
    try ApplyBackupCopy.copyArchive(lab.archiveDirectory, to: "\(host)/wal") { relative in
      "2025-07-08/" + String(relative.split(separator: "/").last ?? "")
    }
    return host
  }

  /// The server's client key and known_hosts copied where `postgres` (who runs the restored
  /// server's restore_command) can read them, and an ssh configuration naming them.
  static func configForPostgres(_ server: SSHServer, in lab: PostgresLab) throws -> String {
    let folder = lab.directory.file("ssh-client")
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    for name in ["client_key", "known_hosts"] {
      try FileManager.default.copyItem(atPath: server.directory.file(name), toPath: "\(folder)/\(name)")
    }
    let postgres = getpwnam("postgres")!.pointee
    for name in ["", "/client_key", "/known_hosts"] {
      chown(folder + name, postgres.pw_uid, postgres.pw_gid)
    }
    chmod("\(folder)/client_key", 0o600)
    let config = "\(folder)/ssh_config"
    try """
    Host *
      IdentityFile \(folder)/client_key
      IdentitiesOnly yes
      IdentityAgent none
      UserKnownHostsFile \(folder)/known_hosts
      GlobalKnownHostsFile /dev/null
      StrictHostKeyChecking yes
      PasswordAuthentication no

    """.write(toFile: config, atomically: true, encoding: .utf8)
    chmod(config, 0o644)
    return config
  }
}
