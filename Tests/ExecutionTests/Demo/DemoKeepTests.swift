import Foundation
import Testing
import _PITRTestSupport

/// `pitr demo --keep` (the built executable): `--help` promises it "leaves the folder, the
/// source and the restored server running, and says how to stop them". The folder keeps the source cluster, the backups, the archive,
/// the plan and the restore; the output says where, and how to stop the servers.
@Suite(.tags(.integration), .enabled(if: PostgresLab.isAvailable))
struct DemoKeepTests {
  /// Runs `sql` in the demo's database `test` with `psql -XAtq` through the socket folder given.
  static func sql(_ sql: String, socket: String, port: Int) throws -> String {
    let result = try ProcessRunner.run(
      "\(PostgresLab.binaries)/psql",
      ["-X", "-A", "-t", "-q", "-h", socket, "-p", String(port), "-U", "postgres", "-d", "test", "-c", sql],
      environment: ["LC_ALL": "C", "PGOPTIONS": ""], timeout: 60)
    guard result.status == 0 else { throw FixtureError("psql: \(result.standardError)") }
    return result.standardOutput.trimmingCharacters(in: .newlines)
  }

  @Test func keepLeavesTheFolderAndTheRestoredServerRunningAndSaysWhere() throws {
    let parent = try TemporaryDirectory("demo-keep")
    let folder = parent.file("demo")
    let source = "\(folder)/source"
    let restored = "\(folder)/restore"
    defer {
      for data in [restored, source] { RestoreSandbox.stopServer(in: data) }
      parent.remove()
    }

    let result = try ProcessRunner.run(
      RepositoryPaths.pitrExecutable, ["demo", "--keep", "--directory", folder],
      environment: ["NO_COLOR": "1"], timeout: 300)

    #expect(!result.timedOut && !result.terminatedBySignal)
    #expect(result.status == 0, "\(result.standardOutput)\n\(result.standardError)")
    let output = result.standardOutput
    #expect(output.contains("check passed: every row is back"), "\(output)")
    let kept = try #require(output.range(of: "\n== Kept\n"), "\(output)")
    #expect(!output.contains("Cleaning up"))
    let said = output[kept.upperBound...].split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
    let port = try #require(
      said.first.flatMap { $0.wholeMatch(of: /everything is in (.+); the restored server runs on port ([0-9]+)/) }
        .flatMap { $0.1 == folder ? Int($0.2) : nil }, "\(said)")
    #expect(said.dropFirst().first?.hasPrefix("the source still runs too, on port ") == true, "\(said)")
    // As root the servers run as postgres, so the command says so.
    let pgctl = (getuid() == 0 ? "runuser -u postgres -- " : "") + "\(PostgresLab.binaries)/pg_ctl"
    #expect(
      said.dropFirst(2).first == "stop them with: \(pgctl) stop -D \(source); \(pgctl) stop -D \(restored)",
      "\(said)")

    // The folder is all there, and the two directories named are the servers' data.
    for path in ["plan.yaml", "source/PG_VERSION", "restore/PG_VERSION", "restore.pitr/journal.json"] {
      #expect(FileManager.default.fileExists(atPath: "\(folder)/\(path)"), "\(path) was not kept")
    }
    let plan = try String(contentsOfFile: "\(folder)/plan.yaml", encoding: .utf8)
    #expect(plan.contains("data_directory: \(restored)\n"), "\(plan)")
    #expect(plan.contains("port: \(port)\n"), "\(plan)")
    // The restored server runs, promoted, with the rows back, on the port it said.
    #expect(RestoreSandbox.serverRuns(in: restored))
    // Handed over by finish, it listens on the demo cluster's own socket, not in restore.pitr.
    let socket = RestoreSandbox.socketDirectory(of: restored)
    #expect(!socket.hasSuffix(".pitr"), "\(socket)")
    #expect(try Self.sql("SELECT pg_is_in_recovery()", socket: socket, port: port) == "f")
    #expect(try Self.sql("SELECT count(*) FROM inventarios", socket: socket, port: port) == "11")
    // The source is left running too (the output says to stop both).
    #expect(RestoreSandbox.serverRuns(in: source))

    for data in [restored, source] { RestoreSandbox.stopServer(in: data) }
    #expect(!RestoreSandbox.serverRuns(in: restored) && !RestoreSandbox.serverRuns(in: source))
    #expect(PostgresLab.processes(mentioning: folder).isEmpty)
  }
}
