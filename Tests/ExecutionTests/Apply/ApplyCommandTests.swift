import Execution
import Foundation
import Testing
import _PITRTestSupport

extension ApplyTests {
  /// `pitr apply` as a user runs it: the built executable, no terminal.
  @Suite struct Command {
    /// Runs the built `pitr` with the catalog cache inside the sandbox.
    static func pitr(_ arguments: [String], in sandbox: RestoreSandbox, environment: [String: String] = [:])
      throws -> ProcessResult
    {
      let result = try ProcessRunner.run(
        RepositoryPaths.pitrExecutable, arguments,
        environment: ["NO_COLOR": "1", "XDG_CACHE_HOME": sandbox.file("cache")].merging(environment) { $1 },
        timeout: 180)
      #expect(!result.timedOut, "pitr \(arguments.joined(separator: " ")) hung")
      #expect(!result.terminatedBySignal, "pitr \(arguments.joined(separator: " ")) crashed")
      return result
    }

    /// The lab's plan to `test_pirt` with its two checks, written into the sandbox.
    static func writePlan(_ shared: InventariosApplyLab, into sandbox: RestoreSandbox) throws -> String {
      let path = sandbox.file("plan.yaml")
      let text = shared.plan("  name: test_pirt", into: sandbox, tail: Actions.verify())
      try Data(text.utf8).write(to: URL(fileURLWithPath: path))
      return path
    }

    /// `pitr plan PLAN --format json --out COMPILED`, which must succeed.
    static func compile(_ plan: String, to compiled: String, in sandbox: RestoreSandbox) throws {
      let result = try pitr(["plan", plan, "--format", "json", "--out", compiled], in: sandbox)
      #expect(result.status == 0, "\(result.standardError)")
      #expect(FileManager.default.fileExists(atPath: compiled))
    }

    @Test func withoutYesAndWithoutATerminalItIsAUsageErrorAndNothingIsDone() throws {
      let shared = try InventariosApplyLab.get()
      let sandbox = try shared.sandbox("noyes")
      defer { sandbox.remove() }
      let plan = try Self.writePlan(shared, into: sandbox)

      let result = try Self.pitr(["apply", plan], in: sandbox)

      #expect(result.status == 64)
      #expect(
        result.standardError.contains(
          "pitr: error: pitr apply needs --yes when standard input is not a terminal (review the steps with "
            + "pitr plan first)"), "\(result.standardError)")
      #expect(!FileManager.default.fileExists(atPath: sandbox.dataDirectory))
      #expect(!FileManager.default.fileExists(atPath: sandbox.stateDirectory))
      let status = try Self.pitr(["status", plan], in: sandbox)
      #expect(status.status == 0)
      #expect(
        status.standardOutput
          == "Restore into \(sandbox.dataDirectory) (port \(sandbox.port))\n  no restore has run into it: "
          + "there is no journal in \(sandbox.stateDirectory)\n")
    }

    @Test func applyYesRestoresEndToEnd() throws {
      let shared = try InventariosApplyLab.get()
      let sandbox = try shared.sandbox("yes")
      defer { sandbox.remove() }
      let plan = try Self.writePlan(shared, into: sandbox)

      let result = try Self.pitr(["apply", plan, "--yes"], in: sandbox)

      #expect(result.status == 0, "\(result.standardError)")
      let output = result.standardOutput
      #expect(
        output.contains("Restored: the server is promoted and accepts writes on port \(sandbox.port)."), "\(output)")
      #expect(
        output.contains("PostgreSQL stopped where pitr predicted: recovery stopping at restore point \"test_pirt\""),
        "\(output)")
      #expect(output.contains("check passed: the last insert survived"), "\(output)")
      #expect(output.contains("check passed: every row is back"), "\(output)")
      // Handed over: the server's own socket folder (the lab's), no longer the private one.
      let socket = try #require(ServerSocket.directory(of: sandbox.dataDirectory))
      #expect(socket != sandbox.stateDirectory)
      #expect(output.contains("Connect: psql -h \(socket) -p \(sandbox.port) -U postgres"), "\(output)")
      #expect(try sandbox.sql("SELECT count(*) FROM inventarios", database: "test") == "11")
      #expect(try sandbox.sql("SELECT pg_is_in_recovery()") == "f")

      // Run again: the journal of this plan is done and the server promoted at the predicted
      // stop: nothing to do (docs/advance.md, applying twice converges).
      let again = try Self.pitr(["apply", plan, "--yes"], in: sandbox)
      #expect(again.status == 0, "\(again.standardError)")
      #expect(
        again.standardOutput
          == "\(sandbox.dataDirectory) already holds the restore of \(plan), its server promoted; nothing to do.\n")
      #expect(again.standardError == "", "nothing compiled aloud, nothing resumed")

      let status = try Self.pitr(["status", plan], in: sandbox)
      #expect(status.status == 0, "\(status.standardError)")
      #expect(status.standardOutput.contains("Restore into \(sandbox.dataDirectory) (port \(sandbox.port))"))
      #expect(
        status.standardOutput.range(of: #"steps: (\d+) of \1 done"#, options: .regularExpression) != nil,
        "\(status.standardOutput)")
      #expect(status.standardOutput.contains("server: running, promoted (accepts writes)"), "\(status.standardOutput)")
      #expect(
        status.standardOutput.contains("PostgreSQL logged: recovery stopping at restore point \"test_pirt\""),
        "\(status.standardOutput)")
      let json = try Self.pitr(["status", plan, "--json"], in: sandbox)
      #expect(json.status == 0, "\(json.standardError)")
      let decoder = JSONDecoder()
      decoder.dateDecodingStrategy = .iso8601
      let decoded = try decoder.decode(RestoreStatus.self, from: Data(json.standardOutput.utf8))
      #expect(decoded.journalMatchesPlan)
      #expect(decoded.server.running && decoded.server.inRecovery == false)
      #expect(decoded.loggedStop?.hasPrefix("recovery stopping at restore point \"test_pirt\"") == true)
      #expect(try sandbox.sql("SELECT count(*) FROM inventarios", database: "test") == "11")
    }

    /// The dry run's "N extracted" and "WAL to fetch" are what apply does: the bytes it
    /// writes out of the `-Ft -Z server-gzip -Xs` backup (base.tar.gz and the pg_wal.tar the
    /// manifest does not list), and the segments PostgreSQL restores from the archive.
    @Test func theDryRunSaysWhatApplyExtractsAndFetches() throws {
      let shared = try InventariosApplyLab.get()
      let sandbox = try shared.sandbox("dry-run-truth")
      defer { sandbox.remove() }
      let plan = try Self.writePlan(shared, into: sandbox)

      let dryRun = try Self.pitr(["plan", plan], in: sandbox)
      #expect(dryRun.status == 0, "\(dryRun.standardError)")
      let text = dryRun.standardOutput
      let extracted = try #require(
        text.firstMatch(of: /, ([0-9.]+ [KMG]?i?B) extracted\n/)?.1, "\(text)")
      let fetch = try #require(
        text.firstMatch(
          of: /WAL to fetch from the archive: (\d+) segments? \([^)]*\), ([0-9A-F]{24})(?: to ([0-9A-F]{24}))?\n/),
        "\(text)")
      let fetched = try #require(Int(fetch.1))
      let first = String(fetch.2)
      let last = String(fetch.3 ?? fetch.2)
      // The backup carries the segment it starts in, and the archive has it too.
      #expect(text.contains("(1 segment)"), "\(text)")

      let result = try Self.pitr(["apply", plan, "--yes"], in: sandbox)
      #expect(result.status == 0, "\(result.standardError)")
      let note = try #require(
        result.standardError.firstMatch(of: /extracted (\d+) files \(([^)]*)\)/), "\(result.standardError)")
      #expect(String(note.2) == String(extracted), "dry run: \(extracted); apply: \(note.0)")

      // Recovery asks restore_command first, so every segment of the range came from the
      // archive, the one the backup carries included.
      let restored = Set(
        sandbox.serverLog.matches(of: /restored log file "([0-9A-F]{24})" from archive/).map { String($0.1) }
      ).filter { $0 >= first && $0 <= last }
      let range = (UInt64(first.suffix(8), radix: 16) ?? 0)...(UInt64(last.suffix(8), radix: 16) ?? 0)
      #expect(restored.count == fetched, "restored \(restored.sorted()); predicted \(fetched), \(first) to \(last)")
      #expect(range.count == fetched)
    }

    @Test func jsonPrintsOneEventPerLineAndTheReportLast() throws {
      let shared = try InventariosApplyLab.get()
      let sandbox = try shared.sandbox("json-events")
      defer { sandbox.remove() }
      let plan = try Self.writePlan(shared, into: sandbox)

      let result = try Self.pitr(["apply", plan, "--yes", "--json"], in: sandbox)

      #expect(result.status == 0, "\(result.standardError)")
      let events = try result.standardOutput.split(separator: "\n").map { line in
        try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
      }
      let kinds = events.compactMap { $0["event"] as? String }
      #expect(kinds.count == events.count)
      #expect(events.contains { $0["event"] as? String == "step-started" && $0["step"] as? String == "extract-base" })
      #expect(events.contains { $0["event"] as? String == "step-finished" && $0["step"] as? String == "verify" })
      #expect(kinds.last == "finished")
      try JSONSchemaValidator.expectLines(result.standardOutput, conformTo: "apply-events.schema.json")
      let report = try #require(events.last)
      #expect(report["outcome"] as? String == "promoted")
      #expect(report["exitCode"] as? Int == 0)
      #expect(
        report["exitReason"] as? String == "restored: every check passed and PostgreSQL stopped where pitr predicted")
      #expect((report["prediction"] as? [String: Any])?["matched"] as? Bool == true)
      #expect((report["checks"] as? [[String: Any]])?.allSatisfy { $0["passed"] as? Bool == true } == true)
      // Each step that ran, in order, with its time.
      let steps = try #require(report["steps"] as? [[String: Any]])
      let finishedSteps = events.filter { $0["event"] as? String == "step-finished" }.compactMap {
        $0["step"] as? String
      }
      #expect(steps.compactMap { $0["id"] as? String } == finishedSteps)
      #expect(steps.allSatisfy { ($0["seconds"] as? Double ?? -1) >= 0 && $0["skipped"] as? Bool == false })
      #expect(report["drill"] == nil)
    }

    @Test func aCompiledPlanIsRefusedOnceItsPlanChangedAndAppliedWhenFresh() throws {
      let shared = try InventariosApplyLab.get()
      let sandbox = try shared.sandbox("json")
      defer { sandbox.remove() }
      let plan = try Self.writePlan(shared, into: sandbox)
      let compiled = sandbox.file("plan.json")

      try Self.compile(plan, to: compiled, in: sandbox)
      // A reviewer's edit after the compiled plan was written: it no longer says what runs.
      let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: plan))
      try handle.seekToEnd()
      try handle.write(contentsOf: Data("# reviewed\n".utf8))
      try handle.close()

      let stale = try Self.pitr(["apply", compiled, "--yes"], in: sandbox)

      #expect(stale.status == 2)
      #expect(
        stale.standardError.contains(
          "pitr: error: \(compiled) is stale: \(plan) changed since it was compiled; run pitr plan \(plan) "
            + "--format json again and review it"), "\(stale.standardError)")
      #expect(!FileManager.default.fileExists(atPath: sandbox.dataDirectory))

      try Self.compile(plan, to: compiled, in: sandbox)
      let drill = try Self.pitr(["apply", compiled, "--drill"], in: sandbox)
      #expect(drill.status == 64)
      #expect(
        drill.standardError.contains("--drill takes the plan file (YAML), not a compiled plan"),
        "\(drill.standardError)")
      let applied = try Self.pitr(["apply", compiled, "--yes"], in: sandbox)

      #expect(applied.status == 0, "\(applied.standardError)")
      #expect(applied.standardOutput.contains("Restored: the server is promoted"), "\(applied.standardOutput)")
      #expect(try sandbox.sql("SELECT count(*) FROM inventarios", database: "test") == "11")
    }

    /// A socket listening on a port the kernel chose, on every address.
    static func listen() -> (descriptor: Int32, port: Int)? {
      let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
      guard descriptor >= 0 else { return nil }
      var address = sockaddr_in()
      address.sin_family = sa_family_t(AF_INET)
      address.sin_addr.s_addr = INADDR_ANY
      var length = socklen_t(MemoryLayout<sockaddr_in>.size)
      let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
          bind(descriptor, $0, length) == 0 && Glibc.listen(descriptor, 1) == 0
            && getsockname(descriptor, $0, &length) == 0
        }
      }
      guard bound else {
        close(descriptor)
        return nil
      }
      return (descriptor, Int(UInt16(bigEndian: address.sin_port)))
    }

    @Test func aDrillRestoresChecksReportsAndLeavesNothingBehind() throws {
      let shared = try InventariosApplyLab.get()
      let sandbox = try shared.sandbox("dr")
      defer { sandbox.remove() }
      let plan = try Self.writePlan(shared, into: sandbox)
      // The drill's temporary directory goes into TMPDIR: a folder of the sandbox's.
      let temporary = sandbox.file("tmp")
      try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: true)
      defer {
        // Should the drill fail to clean up, its server must not outlive the test.
        for name in (try? FileManager.default.contentsOfDirectory(atPath: temporary)) ?? [] {
          RestoreSandbox.stopServer(in: "\(temporary)/\(name)/data")
        }
      }

      let result = try Self.pitr(["apply", plan, "--drill"], in: sandbox, environment: ["TMPDIR": temporary])

      #expect(result.status == 0, "\(result.standardError)")
      let lines = result.standardOutput.split(separator: "\n").map(String.init)
      let folder = try #require(
        lines.first?.wholeMatch(of: /Drill: backup \S+ restored in (\S+) on port (\d+); the server was promoted\./),
        "\(lines)")
      #expect(folder.1.hasPrefix("\(temporary)/pitr-drill-"), "\(lines)")
      #expect(lines.contains("check passed: every row is back"), "\(lines)")
      #expect(lines.last == "Drill passed; the server was stopped and \(folder.1) removed.")
      #expect(!result.standardOutput.contains("accepts writes"))
      #expect(try FileManager.default.contentsOfDirectory(atPath: temporary) == [])
      #expect(!FileManager.default.fileExists(atPath: sandbox.dataDirectory))
      #expect(!FileManager.default.fileExists(atPath: sandbox.stateDirectory))
      #expect(PostgresLab.processes(mentioning: temporary).isEmpty)

      // Placed: a folder and a port of the caller's; the JSON report is for a nightly job to keep.
      let placed = sandbox.file("drills")
      try FileManager.default.createDirectory(atPath: placed, withIntermediateDirectories: true)
      let port = SystemEnvironment().freePort() ?? 6123
      let json = try Self.pitr(
        ["apply", plan, "--drill", "--drill-directory", placed, "--drill-port", String(port), "--json"], in: sandbox)
      #expect(json.status == 0, "\(json.standardError)")
      try JSONSchemaValidator.expectLines(json.standardOutput, conformTo: "apply-events.schema.json")
      let last = try #require(json.standardOutput.split(separator: "\n").last.map(String.init))
      let finished = try #require(JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any])
      let drill = try #require(finished["drill"] as? [String: Any])
      #expect((drill["directory"] as? String)?.hasPrefix("\(placed)/pitr-drill-") == true, "\(drill)")
      #expect(drill["port"] as? Int == port)
      #expect(drill["removed"] as? Bool == true)
      #expect(drill["passed"] as? Bool == true)
      #expect(finished["exitCode"] as? Int == 0)
      #expect((finished["prediction"] as? [String: Any])?["matched"] as? Bool == true)
      #expect((finished["steps"] as? [[String: Any]])?.contains { $0["id"] as? String == "extract-base" } == true)
      #expect(try FileManager.default.contentsOfDirectory(atPath: placed) == [])
      #expect(PostgresLab.processes(mentioning: placed).isEmpty)

      // A port in use is refused before anything is made.
      let listener = try #require(Self.listen(), "cannot listen on a TCP port")
      defer { close(listener.descriptor) }
      let busy = try Self.pitr(
        ["apply", plan, "--drill", "--drill-directory", placed, "--drill-port", String(listener.port)], in: sandbox)
      #expect(busy.status == 2)
      #expect(
        busy.standardError
          == "pitr: error: --drill-port \(listener.port) is in use on this machine; choose a free port, or leave "
          + "--drill-port out for one\n")
      #expect(try FileManager.default.contentsOfDirectory(atPath: placed) == [])
      #expect(PostgresLab.processes(mentioning: temporary).isEmpty)
    }
  }
}

extension ApplyTests {
  /// plans/inventarios-by-restore-point.yaml as it is in the repository (its port aside), run
  /// by `pitr apply` with `PITR_LAB` pointing at the lab.
  @Suite struct ExamplePlans {
    @Test func theRestorePointExamplePlanRestoresAndPromotesAfterItsChecks() throws {
      let shared = try InventariosApplyLab.get()
      let sandbox = try shared.sandbox("plan001")
      let example = try ExamplePlan(
        "inventarios-by-restore-point.yaml", dataDirectoryName: "db_pruebas",
        links: ["backup_db": "\(shared.base)/backup_db", "backup_wal": shared.wal], sandbox: sandbox)
      defer {
        example.stopServer()
        sandbox.remove()
      }

      let applied = try Command.pitr(
        ["apply", example.path, "--yes"], in: sandbox, environment: ["PITR_LAB": example.labFolder])

      #expect(applied.status == 0, "\(applied.standardError)")
      #expect(
        applied.standardOutput.hasPrefix(
          "Restored: the server is promoted and accepts writes on port \(sandbox.port)."),
        "\(applied.standardOutput)")
      #expect(applied.standardOutput.contains("check passed: the rows are there before promotion"))
      #expect(applied.standardOutput.contains("check passed: the first rows are intact"))
      #expect(try example.sql("SELECT count(*) FROM inventarios", port: sandbox.port, database: "test") == "11")
      #expect(try example.sql("SELECT pg_is_in_recovery()", port: sandbox.port) == "f")
    }
  }
}
