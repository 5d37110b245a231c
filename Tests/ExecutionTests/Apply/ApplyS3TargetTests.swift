import Execution
import Foundation
import Testing
import _PITRTestSupport

extension ApplyTests {
  /// Seed 001's lab (the one ``ApplyTests`` share) uploaded once to a real moto_server, and
  /// every kind of target of ``Targets/cases`` restored from it by `pitr apply` with the same
  /// expectations as from the local repository: the plan names `s3://seed001/base` and
  /// `s3://seed001/wal` with `backups.s3:` pointing at moto, the credentials are only in the
  /// environment. The restores share one catalog cache, as a DBA's runs would.
  @Suite(.enabled(if: MotoServer.isAvailable)) struct S3Targets {
    static let environment = ["AWS_ACCESS_KEY_ID": "AKIASEED001", "AWS_SECRET_ACCESS_KEY": "seed001-secret"]

    @Test func everyTargetOfSeed001RestoresFromS3() throws {
      let shared = try InventariosApplyLab.get()
      let moto = try MotoServer()
      defer { moto.stop() }
      try moto.upload([(shared.base, "base"), (shared.wal, "wal")], bucket: "seed001")
      let cache = moto.directory.file("cache")

      for testCase in ApplyTests.Targets.cases {
        let sandbox = try shared.sandbox("s3-target")
        defer { sandbox.remove() }
        let plan = try shared.lab.directory.write(
          ApplyS3Tests.planText(
            bucket: "seed001", moto: moto, target: testCase.target(shared.scenario), sandbox: sandbox),
          to: "s3-target.yaml")

        let applied = try ApplyTests.Command.pitr(
          ["apply", plan, "--yes"], in: sandbox,
          environment: Self.environment.merging(["HOME": sandbox.directory, "XDG_CACHE_HOME": cache]) { $1 })

        #expect(applied.status == 0, "\(testCase.name): \(applied.standardError)\n\(applied.standardOutput)")
        if applied.status != 0 { continue }
        let output = applied.standardOutput
        #expect(
          output.contains("the server is promoted and accepts writes on port \(sandbox.port)"),
          "\(testCase.name): \(output)")
        #expect(!output.contains("but pitr predicted"), "\(testCase.name): \(output)")
        if testCase.name != "latest" {
          #expect(output.contains("PostgreSQL stopped where pitr predicted: "), "\(testCase.name): \(output)")
        }
        #expect(
          try sandbox.sql("SELECT count(*) FROM inventarios", database: "test") == testCase.rows, "\(testCase.name)")
        #expect(
          try sandbox.sql("SELECT count(*) FROM inventarios WHERE producto = 'Ultimo_Registro'", database: "test")
            == (testCase.lastInsert ? "1" : "0"), "\(testCase.name)")
        #expect(sandbox.serverLog.contains("restored log file"), "\(testCase.name): \(sandbox.serverLog)")
      }
    }

    /// The backup's tar rewritten in S3 (one byte changed: same size, another ETag) after
    /// `pitr plan --format json` compiled against it: `pitr apply COMPILED.json` refuses the
    /// stale plan (exit 2) and writes nothing.
    @Test func anObjectRewrittenAfterCompilingStopsApplyBeforeAnythingIsWritten() throws {
      let shared = try InventariosApplyLab.get()
      let moto = try MotoServer()
      defer { moto.stop() }
      try moto.upload([(shared.base, "base"), (shared.wal, "wal")], bucket: "seed001")
      let sandbox = try shared.sandbox("s3-rewritten")
      defer { sandbox.remove() }
      let plan = try shared.lab.directory.write(
        ApplyS3Tests.planText(bucket: "seed001", moto: moto, target: "  name: test_pirt", sandbox: sandbox),
        to: "s3-rewritten.yaml")
      let compiled = sandbox.file("compiled.json")
      let environment = Self.environment.merging(["HOME": sandbox.directory]) { $1 }
      let compiling = try ApplyTests.Command.pitr(
        ["plan", plan, "--format", "json", "--out", compiled], in: sandbox, environment: environment)
      #expect(compiling.status == 0, "\(compiling.standardError)")
      var tar = try Data(contentsOf: URL(fileURLWithPath: "\(shared.base)/backup_db/base.tar.gz"))
      tar[tar.count - 9] ^= 0xFF
      try moto.client(bucket: "seed001").put("base/backup_db/base.tar.gz", tar)

      let applied = try ApplyTests.Command.pitr(["apply", compiled, "--yes"], in: sandbox, environment: environment)

      #expect(applied.status == 2)
      #expect(
        applied.standardError.hasSuffix(
          "pitr: error: \(compiled) is stale: the backups or WAL it relies on changed since it was compiled; "
            + "run pitr plan \(plan) --format json again and review it\n"), "\(applied.standardError)")
      #expect(applied.standardOutput == "")
      #expect(!FileManager.default.fileExists(atPath: sandbox.dataDirectory))
      #expect(!FileManager.default.fileExists(atPath: sandbox.stateDirectory))
    }
  }
}
