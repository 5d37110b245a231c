import ArgumentParser
import Compiler
import Demo
import Execution
import Foundation
import PostgresClient

#if canImport(Glibc)
  import Glibc
#endif

/// `pitr demo`: the whole job on a throw-away cluster.
struct DemoCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "demo",
    abstract: "Restore a throw-away cluster after an accidental DELETE, showing every step.",
    discussion: """
      Builds the seed lab in a temporary folder with the real PostgreSQL server: a cluster \
      archiving gzip'd WAL, a table of products, a compressed tar base backup, one more \
      insert, then DELETE FROM inventarios without WHERE. It writes the restore plan a DBA \
      would write (a time target just before the DELETE, promote-if-verified with two checks), \
      shows its dry run, applies it, shows the rows back, and removes everything (--keep \
      leaves the folder, the source and the restored server running, and says how to stop \
      them).

      Needs the PostgreSQL server binaries (initdb, pg_ctl, postgres, pg_basebackup): the \
      newest found on PATH or in /usr/lib/postgresql/N/bin (Debian: postgresql-15), or the \
      folder given with --bin-dir (scripts/postgres-servers fetches 16, 17 and 18). As root, \
      the servers run as the postgres OS user. The source cluster keeps its clock in \
      --timezone, America/Phoenix (seed 001's MST) unless told otherwise: the dry run \
      predicts the stop as that server will log it.
      """
  )

  @Flag(name: .long, help: "Keep the folder and leave the source and the restored server running.")
  var keep = false

  @Option(
    help: ArgumentHelp("Where to build the demo (default: a new folder in $TMPDIR or /tmp).", valueName: "folder"))
  var directory: String?

  @Option(
    name: .customLong("bin-dir"),
    help: ArgumentHelp(
      "The PostgreSQL server binaries to use (default: the newest on PATH or in /usr/lib/postgresql/N/bin).",
      valueName: "folder"))
  var binDirectory: String?

  @Option(help: ArgumentHelp("The source cluster's timezone and log_timezone.", valueName: "zone"))
  var timezone = "America/Phoenix"

  func run() async throws {
    let binaries = try serverBinaries()
    let environment = SystemEnvironment()
    let serverUser = try serverUser(environment)
    let folder = try makeFolder()
    guard let sourcePort = environment.freePort(), let restorePort = environment.freePort() else {
      Terminal.writeError("pitr: error: no free port for the demo servers\n")
      throw PITRExitCode.executionFailed
    }
    let cluster = DemoCluster(
      directory: folder, binDirectory: binaries, port: sourcePort, serverUser: serverUser, timezone: timezone)
    var runner: RestoreRunner?
    defer {
      if !keep {
        runner?.tearDown()
        cluster.stop()
        try? FileManager.default.removeItem(atPath: folder)
      }
    }
    do {
      heading("1. The source cluster and the accident (seed 001 lab) in \(folder)")
      say("initdb and start PostgreSQL (\(binaries)) with timezone \(timezone), archiving WAL with gzip")
      try cluster.create()
      let scenario = try DemoScenario.play(on: cluster, say: say)
      let (compiled, report) = try planAndApply(
        scenario, cluster: cluster, folder: folder, restorePort: restorePort, runner: &runner)
      try showRows(compiled, restorePort: restorePort, report: report)
    } catch let error as ExitCode {
      throw error
    } catch {
      Apply.printFailure(error, json: false)
      if !keep { say("(run pitr demo --keep to look at \(folder) afterwards)") }
      throw PITRExitCode.executionFailed
    }
    heading(keep ? "Kept" : "Cleaning up")
    if keep {
      say("everything is in \(folder); the restored server runs on port \(restorePort)")
      say("the source still runs too, on port \(cluster.port)")
      let pgctl = (cluster.serverUser.map { "runuser -u \($0) -- " } ?? "") + "\(cluster.binDirectory)/pg_ctl"
      say("stop them with: \(pgctl) stop -D \(cluster.dataDirectory); \(pgctl) stop -D \(folder)/restore")
    } else {
      say("stopped both servers and removed \(folder)")
    }
  }

  /// The server binaries' folder: --bin-dir when it has them all, else the newest found.
  private func serverBinaries() throws -> String {
    if let binDirectory {
      let missing = DemoCluster.missingPrograms(in: binDirectory)
      guard missing.isEmpty else {
        Terminal.writeError(
          "pitr: error: --bin-dir \(binDirectory) has no \(missing.joined(separator: ", ")); give the folder "
            + "holding PostgreSQL's initdb, pg_ctl, postgres and pg_basebackup (such as "
            + "/usr/lib/postgresql/17/bin)\n")
        throw PITRExitCode.usage
      }
    }
    guard let binaries = binDirectory ?? DemoCluster.findBinaries() else {
      Terminal.writeError(
        "pitr: error: pitr demo needs the PostgreSQL server binaries (initdb, pg_ctl, postgres, "
          + "pg_basebackup) on PATH or in /usr/lib/postgresql/N/bin; on Debian: apt install postgresql-15\n")
      throw PITRExitCode.executionFailed
    }
    return binaries
  }

  /// Who runs the servers: `postgres` as root (which must exist), else this user (`nil`).
  private func serverUser(_ environment: SystemEnvironment) throws -> String? {
    let serverUser = environment.isRoot ? "postgres" : nil
    if let serverUser, !environment.userExists(serverUser) {
      Terminal.writeError(
        "pitr: error: PostgreSQL refuses to run as root, and there is no '\(serverUser)' user to run "
          + "it as; create one (useradd postgres) or run pitr demo as a normal user\n")
      throw PITRExitCode.executionFailed
    }
    return serverUser
  }

  /// Sections 2 to 4: the plan written, its dry run, and its restore (`runner`, for the
  /// clean-up).
  private func planAndApply(
    _ scenario: DemoScenario, cluster: DemoCluster, folder: String, restorePort: Int,
    runner: inout RestoreRunner?
  ) throws -> (CompiledPlan, RunReport) {
    heading("2. The restore plan")
    let planPath = "\(folder)/plan.yaml"
    let planText = scenario.plan(cluster: cluster, restorePort: restorePort)
    try Data(planText.utf8).write(to: URL(fileURLWithPath: planPath))
    Terminal.write(
      planText.split(separator: "\n", omittingEmptySubsequences: false).map { "    \($0)" }.joined(separator: "\n")
        + "\n")

    heading("3. pitr plan \(planPath)")
    let pipeline = PlanPipeline(output: try OutputOptions.parse([]), useCache: false)
    let (plan, source) = try pipeline.load(planPath)
    let compiled = try pipeline.compileReporting(plan, source: source, file: planPath).compiled
    let resolver = PlanPipeline.resolver(for: compiled)
    Terminal.write(PlanText.render(compiled, resolver: resolver))

    heading("4. pitr apply \(planPath) --yes")
    let restore = RestoreRunner(plan: compiled, resolver: resolver, observer: TerminalRunObserver(), timeout: 300)
    runner = restore
    let report = try restore.run()
    Terminal.write(RunSummary.text(report, plan: compiled, drill: nil))
    return (compiled, report)
  }

  /// Section 5: the rows the DELETE removed, read from the restored server; fails unless it
  /// promoted with every check passed.
  private func showRows(_ compiled: CompiledPlan, restorePort: Int, report: RunReport) throws {
    heading("5. The rows are back")
    // Handed over by finish, the server listens on the demo cluster's own socket.
    let socket = ServerSocket.directory(of: compiled.destination.dataDirectory) ?? ""
    let connection = try PostgresConnection(
      conninfo: "host=\(socket.isEmpty ? compiled.destination.stateDirectory : socket) port=\(restorePort)",
      overrides: ["user": "postgres", "dbname": DemoScenario.database])
    let rows = try connection.query("SELECT id, producto, stock FROM inventarios ORDER BY id DESC LIMIT 3")
    let count = try connection.query("SELECT count(*) FROM inventarios").first?.first ?? nil
    say("SELECT count(*) FROM inventarios → \(count ?? "?") (the source has 0 after the DELETE)")
    say("the newest rows:")
    for row in rows { say("  " + row.map { $0 ?? "NULL" }.joined(separator: " | ")) }
    guard report.outcome == .promoted, report.checks.allSatisfy(\.passed) else {
      throw PITRExitCode.executionFailed
    }
  }

  private func makeFolder() throws -> String {
    if let directory {
      let path = URL(fileURLWithPath: directory).standardizedFileURL.path
      if let contents = try? FileManager.default.contentsOfDirectory(atPath: path), !contents.isEmpty {
        Terminal.writeError("pitr: error: \(path) is not empty; pitr demo builds only in a new or empty folder\n")
        throw PITRExitCode.usage
      }
      try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
      chmod(path, 0o755)
      return path
    }
    return try TemporaryFolder.make(prefix: "pitr-demo")
  }

  private func heading(_ text: String) { Terminal.write("\n== \(text)\n") }
  private func say(_ text: String) { Terminal.write("    \(text)\n") }
}
