import Execution
import Foundation
import S3
import Testing
import _PITRTestSupport

/// What goes wrong with S3 while `pitr apply` extracts, against a real moto_server: the
/// backup's tar rewritten mid-read, moto stopped mid-read, an object deleted before its turn.
/// Each run stops with S3's sentence (exit 1), the extract step is not recorded as done, and
/// a run after the repository is fixed restores.
@Suite(
  .tags(.integration), .serialized,
  .enabled(if: PostgresLab.isAvailable && MotoServer.isAvailable))
struct ApplyS3FailureTests {
  static let environment = [
    "AWS_ACCESS_KEY_ID": "AKIALIVETEST", "AWS_SECRET_ACCESS_KEY": "s3-failure-secret",
    // Two quick attempts, so that a stopped moto is told in a fraction of a second.
    S3RetryPolicy.attemptsVariable: "2", S3RetryPolicy.delayVariable: "0.05",
  ]

  /// A lab with about 40 MiB of table data in its backup (five 8 MiB ranges or more for
  /// base.tar), so the extraction is well under way when the test pauses it.
  static func lab(_ name: String, format: PostgresLab.BackupFormat) throws -> PostgresLab {
    let lab = try PostgresLab(name: name, archive: .plainFlat)
    do {
      try lab.sql("CREATE TABLE relleno AS SELECT i, repeat(md5(i::text), 8) AS t FROM generate_series(1, 140000) i")
      try lab.baseBackup(into: "backup_base", format: format, wal: .stream, label: "laboratorio_pitr")
      try lab.sql("SELECT pg_create_restore_point('punto_laboratorio')")
      try lab.switchWAL()
      try lab.stop()
    } catch {
      lab.remove()
      throw error
    }
    return lab
  }

  @Test func aTarRewrittenWhileItIsExtractedStopsTheRestoreAndARunAfterwardsRestores() throws {
    let lab = try Self.lab("s3-rewritten-mid", format: .tar(compression: .none))
    defer { lab.remove() }
    let moto = try MotoServer()
    defer { moto.stop() }
    try moto.upload([(lab.backupsDirectory, "base"), (lab.archiveDirectory, "wal")], bucket: "lab")
    let sandbox = try RestoreSandbox(in: lab.directory.path, name: "rewritten")
    defer { sandbox.remove() }
    let plan = try lab.directory.write(
      ApplyS3Tests.planText(bucket: "lab", moto: moto, target: "  name: punto_laboratorio", sandbox: sandbox),
      to: "rewritten.yaml")
    let key = "base/backup_base/base.tar"
    let original = try Data(contentsOf: URL(fileURLWithPath: "\(lab.backupsDirectory)/backup_base/base.tar"))
    let environment = Self.environment.merging(["HOME": sandbox.directory]) { $1 }
    let client = moto.client(bucket: "lab")
    let etag = try client.head(key).etag

    // Paused once 12 MiB are written: past the first range (fetched ahead), base.tar's stream
    // is open, its ranges pinned by If-Match. The same size, the last byte changed: only the
    // ETag tells the two versions apart.
    let running = try ApplyPausedMidExtraction(
      plan: plan, sandbox: sandbox, environment: environment, bytes: 12 << 20)
    var rewritten = original
    rewritten[rewritten.count - 1] ^= 0xFF
    try client.put(key, rewritten)
    let failed = running.finish()

    #expect(failed.status == 1, "\(failed.standardError)\n\(failed.standardOutput)")
    #expect(
      failed.standardError.contains(
        "cannot read s3://lab/\(key): it changed while it was being read (ETag \(etag) when opened, now a "
          + "different ETag (the service refused If-Match)); something rewrote it: run again once its writer is done"),
      "\(failed.standardError)")
    #expect(ApplyRemote.stepStatus("extract-base", in: sandbox) != .done)

    try client.put(key, original)
    let again = try ApplyTests.Command.pitr(["apply", plan, "--yes"], in: sandbox, environment: environment)
    defer { sandbox.stopServer() }
    #expect(again.status == 0, "\(again.standardError)\n\(again.standardOutput)")
    #expect(try sandbox.sql("SELECT count(*) FROM relleno") == "140000")
  }

  @Test func motoStoppedMidExtractionIsRetriedThenToldAndARunAfterItIsBackRestores() throws {
    let lab = try Self.lab("s3-stopped-mid", format: .tar(compression: .none))
    defer { lab.remove() }
    var moto = try MotoServer()
    defer { moto.stop() }
    let port = Int(moto.endpoint.split(separator: ":").last!)!
    let folders = [(lab.backupsDirectory, "base"), (lab.archiveDirectory, "wal")]
    try moto.upload(folders, bucket: "lab")
    let sandbox = try RestoreSandbox(in: lab.directory.path, name: "stopped")
    defer { sandbox.remove() }
    let plan = try lab.directory.write(
      ApplyS3Tests.planText(bucket: "lab", moto: moto, target: "  name: punto_laboratorio", sandbox: sandbox),
      to: "stopped.yaml")
    let environment = Self.environment.merging(["HOME": sandbox.directory]) { $1 }

    let running = try ApplyPausedMidExtraction(plan: plan, sandbox: sandbox, environment: environment)
    moto.stop()
    let failed = running.finish()

    #expect(failed.status == 1, "\(failed.standardError)\n\(failed.standardOutput)")
    #expect(
      failed.standardError.contains(
        "cannot read s3://lab/base/backup_base/base.tar: cannot reach the S3 endpoint \(moto.endpoint) "
          + "(connection refused) after 2 attempts; check the endpoint (AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL "
          + "or backups.s3.endpoint), the network, and that the service is running"),
      "\(failed.standardError)")
    #expect(ApplyRemote.stepStatus("extract-base", in: sandbox) != .done)

    // moto keeps nothing across a restart: the objects uploaded again are new ones (new
    // Last-Modified), so pitr refuses to resume the half-made restore from them and says to
    // remove it; done so, the run restores.
    moto = try MotoServer(port: port)
    try moto.upload(folders, bucket: "lab")
    try FileManager.default.removeItem(atPath: sandbox.dataDirectory)
    try FileManager.default.removeItem(atPath: sandbox.stateDirectory)
    let again = try ApplyTests.Command.pitr(["apply", plan, "--yes"], in: sandbox, environment: environment)
    defer { sandbox.stopServer() }
    #expect(again.status == 0, "\(again.standardError)\n\(again.standardOutput)")
    #expect(try sandbox.sql("SELECT count(*) FROM relleno") == "140000")
  }

  /// A plain backup's last file deleted after the catalog listed it and extraction began:
  /// the files before it are copied, then its fetch says it was removed.
  @Test func anObjectDeletedBeforeItsTurnStopsTheRestoreAndARunAfterItIsBackRestores() throws {
    let lab = try Self.lab("s3-vanished", format: .plain)
    defer { lab.remove() }
    let moto = try MotoServer()
    defer { moto.stop() }
    try moto.upload([(lab.backupsDirectory, "base"), (lab.archiveDirectory, "wal")], bucket: "lab")
    let sandbox = try RestoreSandbox(in: lab.directory.path, name: "vanished")
    defer { sandbox.remove() }
    let plan = try lab.directory.write(
      ApplyS3Tests.planText(bucket: "lab", moto: moto, target: "  name: punto_laboratorio", sandbox: sandbox),
      to: "vanished.yaml")
    let environment = Self.environment.merging(["HOME": sandbox.directory]) { $1 }
    let client = moto.client(bucket: "lab")
    let last = try #require(
      client.list(prefix: "base/backup_base/").map(\.key).filter { !$0.hasSuffix("backup_manifest") }.max())
    let bytes = try client.read(last)

    let running = try ApplyPausedMidExtraction(plan: plan, sandbox: sandbox, environment: environment)
    try client.delete(last)
    let failed = running.finish()

    #expect(failed.status == 1, "\(failed.standardError)\n\(failed.standardOutput)")
    #expect(
      failed.standardError.contains(
        "cannot read s3://lab/\(last): it was removed since it was listed (\(bytes.count) bytes then); "
          + "something deleted it: run again once the repository is stable"),
      "\(failed.standardError)")
    #expect(ApplyRemote.stepStatus("extract-base", in: sandbox) != .done)

    try client.put(last, bytes)
    let again = try ApplyTests.Command.pitr(["apply", plan, "--yes"], in: sandbox, environment: environment)
    defer { sandbox.stopServer() }
    #expect(again.status == 0, "\(again.standardError)\n\(again.standardOutput)")
    #expect(try sandbox.sql("SELECT count(*) FROM relleno") == "140000")
  }
}
