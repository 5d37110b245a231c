import Execution
import Foundation
import S3
import Testing
import _PITRTestSupport

/// A lab's repository uploaded to a real moto_server: the plan names `s3://lab/base` and
/// `s3://lab/wal` with `backups.s3:` pointing at moto, and the credentials are only in the
/// environment of `pitr apply` (which the restored server's `pitr wal-fetch` inherits). No
/// secret may appear in the dry run, the journal, the logs or the restored server's config.
@Suite(
  .tags(.integration), .serialized,
  .enabled(if: PostgresLab.isAvailable && MotoServer.isAvailable))
struct ApplyS3Tests {
  private static let secret = "s3-live-secret-Wq84Zt"

  @Test func aLabRestoresFromS3ToItsRestorePointWithoutLeakingTheSecret() throws {
    let lab = try PostgresLab(name: "apply-s3", archive: .plainFlat)
    defer { lab.remove() }
    try lab.baseBackup(
      into: "backup_base", format: .tar(compression: .clientGzip), wal: .stream, label: "laboratorio_pitr")
    try lab.sql("CREATE TABLE laboratorio_pitr (id SERIAL PRIMARY KEY, nombre TEXT NOT NULL)")
    try lab.sql("INSERT INTO laboratorio_pitr (nombre) VALUES ('registro_1'), ('registro_2')")
    try lab.sql("SELECT pg_create_restore_point('punto_laboratorio')")
    try lab.switchWAL()
    try lab.sql("INSERT INTO laboratorio_pitr (nombre) VALUES ('registro_3')")
    try lab.switchWAL()
    try lab.stop()
    let moto = try MotoServer()
    defer { moto.stop() }
    try Self.upload(lab, to: moto)
    let sandbox = try RestoreSandbox(in: lab.directory.path, name: "s3lab")
    defer { sandbox.remove() }
    let planPath = try lab.directory.write(Self.plan(moto, sandbox: sandbox), to: "s3-plan.yaml")
    let environment = [
      "AWS_ACCESS_KEY_ID": "AKIALIVETEST", "AWS_SECRET_ACCESS_KEY": Self.secret, "HOME": lab.directory.path,
    ]

    let dryRun = try ApplyTests.Command.pitr(["plan", planPath], in: sandbox, environment: environment)
    #expect(dryRun.status == 0, "\(dryRun.standardError)\n\(dryRun.standardOutput)")
    let applied = try ApplyTests.Command.pitr(["apply", planPath, "--yes"], in: sandbox, environment: environment)
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
    // The restore_command says where S3 is, never who.
    #expect(dryRun.standardOutput.contains("--s3-endpoint \(moto.endpoint)"), "\(dryRun.standardOutput)")
    for text in [dryRun.standardOutput, dryRun.standardError, applied.standardOutput, applied.standardError] {
      #expect(!text.contains(Self.secret))
    }
    #expect(Self.filesHolding(Self.secret, under: sandbox.dataDirectory).isEmpty)
    #expect(Self.filesHolding(Self.secret, under: lab.directory.path).isEmpty)
  }

  @Test func wrongCredentialsStopBeforeAnythingIsWritten() throws {
    let directory = try TemporaryDirectory("s3-denied")
    defer { directory.remove() }
    let moto = try MotoServer(requireSignatures: true)
    defer { moto.stop() }
    let sandbox = try RestoreSandbox(in: directory.path, name: "denied")
    defer { sandbox.remove() }
    let planPath = try directory.write(Self.plan(moto, sandbox: sandbox), to: "denied.yaml")

    let applied = try ApplyTests.Command.pitr(
      ["apply", planPath, "--yes"], in: sandbox,
      environment: [
        "AWS_ACCESS_KEY_ID": "AKIAWRONGLIVE", "AWS_SECRET_ACCESS_KEY": Self.secret, "HOME": directory.path,
      ])

    #expect(applied.status == 2)
    #expect(
      applied.standardError == """
        \(planPath):4:9: error: cannot read s3://lab/base: access denied to s3://lab at \(moto.endpoint) \
        (InvalidAccessKeyId: The AWS Access Key Id you provided does not exist in our records.) with \
        credentials from the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY); check the access key \
        and its secret, and that their policy allows s3:ListBucket and s3:GetObject on the bucket
            base: s3://lab/base
                  ^
        \(planPath): invalid plan: 1 error

        """,
      "\(applied.standardError)")
    #expect(!applied.standardError.contains(Self.secret) && !applied.standardOutput.contains(Self.secret))
    #expect(!FileManager.default.fileExists(atPath: sandbox.dataDirectory))
  }

  /// No credentials anywhere, a bucket that does not exist, a prefix with nothing under it:
  /// each stops `pitr apply` at the plan's `base:` key with S3's sentence and its fix (exit
  /// 2), and nothing is written.
  @Test func missingCredentialsBucketOrPrefixStopApplyBeforeAnythingIsWritten() throws {
    let directory = try TemporaryDirectory("s3-missing")
    defer { directory.remove() }
    let moto = try MotoServer()
    defer { moto.stop() }
    try moto.client(bucket: "lab").createBucket()
    try moto.client(bucket: "lab").put("wal/000000010000000000000001.gz", Data([1, 2, 3]))
    let credentials = ["AWS_ACCESS_KEY_ID": "AKIALIVETEST", "AWS_SECRET_ACCESS_KEY": Self.secret]
    let home = directory.path
    let cases: [(bucket: String, environment: [String: String], reason: String)] = [
      (
        "lab", [:],
        "no S3 credentials found: looked at AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (not set), "
          + "\(home)/.aws/credentials (no such file) and \(home)/.aws/config (no such file); set "
          + "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or add aws_access_key_id and aws_secret_access_key "
          + "to profile 'default' in \(home)/.aws/credentials (AWS_PROFILE picks another profile)"
      ),
      (
        "nobucket", credentials,
        "bucket 'nobucket' does not exist at \(moto.endpoint); check the bucket name in the s3:// URL, the "
          + "endpoint (AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL or backups.s3.endpoint) and the region"
      ),
      (
        "lab", credentials,
        "no object in bucket 'lab' has a key starting with 'base/'; check the prefix in the s3:// URL "
          + "(S3 keys are case-sensitive)"
      ),
    ]
    for (bucket, environment, reason) in cases {
      let sandbox = try RestoreSandbox(in: directory.path, name: "missing")
      defer { sandbox.remove() }
      let planPath = try directory.write(
        Self.planText(bucket: bucket, moto: moto, target: "  name: punto_laboratorio", sandbox: sandbox),
        to: "missing.yaml")

      let applied = try ApplyTests.Command.pitr(
        ["apply", planPath, "--yes"], in: sandbox, environment: environment.merging(["HOME": home]) { $1 })

      #expect(applied.status == 2, "\(reason)")
      #expect(
        applied.standardError == """
          \(planPath):4:9: error: cannot read s3://\(bucket)/base: \(reason)
              base: s3://\(bucket)/base
                    ^
          \(planPath): invalid plan: 1 error

          """,
        "\(applied.standardError)")
      #expect(applied.standardOutput == "")
      #expect(!FileManager.default.fileExists(atPath: sandbox.dataDirectory))
      #expect(!FileManager.default.fileExists(atPath: sandbox.stateDirectory))
    }
  }

  private static func plan(_ moto: MotoServer, sandbox: RestoreSandbox) -> String {
    planText(bucket: "lab", moto: moto, target: "  name: punto_laboratorio\n  timeline: 1", sandbox: sandbox)
  }

  /// A plan over `s3://BUCKET/base` and `s3://BUCKET/wal` with `backups.s3:` naming moto.
  static func planText(bucket: String, moto: MotoServer, target: String, sandbox: RestoreSandbox) -> String {
    ApplyRemote.planText(
      base: "s3://\(bucket)/base", wal: "s3://\(bucket)/wal", moto: moto, target: target, sandbox: sandbox)
  }

  /// Puts the lab's backups under `base/` and its WAL archive under `wal/` in bucket `lab`.
  private static func upload(_ lab: PostgresLab, to moto: MotoServer) throws {
    try moto.upload([(lab.backupsDirectory, "base"), (lab.archiveDirectory, "wal")], bucket: "lab")
  }

  /// The regular files below `root` whose bytes contain `secret`.
  private static func filesHolding(_ secret: String, under root: String) -> [String] {
    let needle = Data(secret.utf8)
    let files = FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String } ?? []
    return files.filter { relative in
      guard let data = FileManager.default.contents(atPath: "\(root)/\(relative)") else { return false }
      return data.range(of: needle) != nil
    }
  }
}
