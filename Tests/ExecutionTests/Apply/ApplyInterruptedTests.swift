import Execution
import Foundation
import Testing
import _PITRTestSupport

#if canImport(Glibc)
  import Glibc
#endif

extension ApplyTests {
  /// Restores interrupted or undone as a DBA meets them: `pitr apply` killed with SIGKILL at
  /// each step, the data directory removed after a restore, a destination below a link.
  @Suite struct Interrupted {
    typealias Command = ApplyTests.Command

    /// Every step of the plan in turn: `pitr apply --yes --json` is killed when it reports
    /// the step started (extract-base: once the data directory holds its first file, so
    /// files are half written; the lab's backup is extracted in well under the 200 ms a
    /// progress report waits for), then `pitr apply` again restores, with the same checked rows.
    @Test func killedAtEachStepApplyAgainRestores() throws {
      let shared = try InventariosApplyLab.get()
      let steps = try Self.stepIDs(shared)
      #expect(
        steps == [
          "check-destination", "create-data-directory", "extract-base", "extract-wal", "prefetch-wal",
          "write-recovery-config", "write-signal", "start-server", "await-target", "verify", "finish",
        ])
      for step in steps {
        let sandbox = try shared.sandbox("k\(steps.firstIndex(of: step)!)")
        defer { sandbox.remove() }
        let plan = try Command.writePlan(shared, into: sandbox)
        let dataDirectory = sandbox.dataDirectory
        let killedAfter = try KilledApply.run(
          ["apply", plan, "--yes", "--json"], in: sandbox, when: ("step-started", step),
          until: step == "extract-base"
            ? { !((try? FileManager.default.contentsOfDirectory(atPath: dataDirectory)) ?? []).isEmpty } : nil)
        #expect(killedAfter.contains { $0.contains("\"step\":\"\(step)\"") }, "\(step): \(killedAfter)")
        // Killed before its first step was recorded, the run left no journal.
        let journal = try? ApplyHarness.journal(in: sandbox)
        let dataEntries = (try? FileManager.default.contentsOfDirectory(atPath: sandbox.dataDirectory)) ?? []
        if step == "extract-base" {
          #expect(journal?.status(of: "extract-base") == .running)
          #expect(!dataEntries.isEmpty, "extraction had written nothing when pitr was killed")
        }

        let status = try Command.pitr(["status", plan], in: sandbox)
        #expect(status.status == 0)
        if let running = journal?.steps.first(where: { $0.status == .running }) {
          #expect(
            status.standardOutput.contains(
              "  \(running.id): interrupted (the pitr apply running it is gone); run pitr apply again "
                + "to resume"), "\(step): \(status.standardOutput)")
          #expect(!status.standardOutput.contains("\(running.id): running"), "\(status.standardOutput)")
        }

        let again = try Command.pitr(["apply", plan, "--yes"], in: sandbox)

        #expect(again.status == 0, "killed at \(step): \(again.standardError)")
        // Killed while finishing, the checks had passed already: they do not run again.
        if step != "finish" {
          #expect(
            again.standardOutput.contains("check passed: the last insert survived"),
            "\(step): \(again.standardOutput)")
          #expect(
            again.standardOutput.contains("check passed: every row is back"), "\(step): \(again.standardOutput)")
        }
        #expect(
          again.standardOutput.contains("PostgreSQL stopped where pitr predicted"), "\(step): \(again.standardOutput)")
        if step == "extract-base" {
          #expect(
            again.standardError.contains(
              "a previous run stopped while extracting (extract-base, extract-wal not finished); pitr made "
                + "\(sandbox.dataDirectory) and everything in it came from the backup: cleared it, "
                + "extracting again"), "\(again.standardError)")
        }
        #expect(try sandbox.sql("SELECT count(*) FROM inventarios", database: "test") == "11", "killed at \(step)")
        #expect(try sandbox.sql("SELECT pg_is_in_recovery()") == "f", "killed at \(step)")
      }
    }

    @Test func aDataDirectoryRemovedAfterARestoreIsRestoredAgain() throws {
      let shared = try InventariosApplyLab.get()
      let sandbox = try shared.sandbox("rmrf")
      defer { sandbox.remove() }
      let plan = try Command.writePlan(shared, into: sandbox)
      let first = try Command.pitr(["apply", plan, "--yes"], in: sandbox)
      #expect(first.status == 0, "\(first.standardError)")
      // As a DBA would: stop the restored server, rm -rf its data directory, keep DATA.pitr.
      sandbox.stopServer()
      try FileManager.default.removeItem(atPath: sandbox.dataDirectory)

      let status = try Command.pitr(["status", plan], in: sandbox)

      #expect(status.status == 0)
      #expect(
        status.standardOutput
          == """
          Restore into \(sandbox.dataDirectory) (port \(sandbox.port))
            steps: 1 of 11 done
            create-data-directory: was done, but \(sandbox.dataDirectory) is gone; pitr apply redoes the restore from this step
            server: not running
            PostgreSQL logged: recovery stopping at restore point "test_pirt", time \(Self.loggedStopTime(status.standardOutput))

          """)
      let validate = try Command.pitr(["validate", plan], in: sandbox)
      #expect(validate.status == 0, "\(validate.standardError)")

      let again = try Command.pitr(["apply", plan, "--yes"], in: sandbox)

      #expect(again.status == 0, "\(again.standardError)")
      #expect(
        again.standardError.contains(
          "\(sandbox.dataDirectory) is gone: redoing the restore from create-data-directory"),
        "\(again.standardError)")
      #expect(!again.standardError.contains("extract-base: already done"), "\(again.standardError)")
      #expect(again.standardOutput.contains("Restored: the server is promoted"), "\(again.standardOutput)")
      #expect(again.standardOutput.contains("check passed: every row is back"), "\(again.standardOutput)")
      #expect(try sandbox.sql("SELECT count(*) FROM inventarios", database: "test") == "11")
      // The first server's log is kept aside, not read as the new one's.
      #expect(FileManager.default.fileExists(atPath: "\(sandbox.stateDirectory)/server.log.previous"))
      let after = try Command.pitr(["status", plan], in: sandbox)
      #expect(after.standardOutput.contains("steps: 11 of 11 done"), "\(after.standardOutput)")
      #expect(!after.standardOutput.contains("was done, but"), "\(after.standardOutput)")
    }

    @Test func aDestinationBelowASymbolicLinkIsResolvedShownAndRestored() throws {
      let shared = try InventariosApplyLab.get()
      let sandbox = try shared.sandbox("ln")
      // /srv -> /mnt/data, as on many servers: the plan names the linked path.
      let real = sandbox.file("m")
      try RestoreSandbox.makePostgresDirectory(real)
      try FileManager.default.createSymbolicLink(atPath: sandbox.file("s"), withDestinationPath: real)
      let written = sandbox.file("s/pg/d")
      let resolved = "\(real)/pg/d"
      defer {
        RestoreSandbox.stopServer(in: resolved)
        sandbox.remove()
      }
      let path = sandbox.file("plan.yaml")
      let text = shared.plan("  name: test_pirt", into: sandbox, tail: Actions.verify())
        .replacingOccurrences(of: "data_directory: \(sandbox.dataDirectory)", with: "data_directory: \(written)")
      try Data(text.utf8).write(to: URL(fileURLWithPath: path))

      let validate = try Command.pitr(["validate", path], in: sandbox)

      #expect(validate.status == 0, "\(validate.standardError)")
      #expect(
        validate.standardError.contains(
          "note: '\(written)' is reached through a symbolic link; pitr restores into \(resolved), the "
            + "directory it names now"), "\(validate.standardError)")
      #expect(
        validate.standardOutput.contains(
          "  into:     \(resolved) (port \(sandbox.port)), through the link in \(written)\n"),
        "\(validate.standardOutput)")
      let dryRun = try Command.pitr(["plan", path], in: sandbox)
      #expect(dryRun.standardOutput.contains("extract base backup"), "\(dryRun.standardOutput)")
      #expect(dryRun.standardOutput.contains("into \(resolved)"), "\(dryRun.standardOutput)")

      let applied = try Command.pitr(["apply", path, "--yes"], in: sandbox)

      #expect(applied.status == 0, "\(applied.standardError)")
      #expect(applied.standardOutput.contains("check passed: every row is back"), "\(applied.standardOutput)")
      #expect(FileManager.default.fileExists(atPath: "\(resolved)/PG_VERSION"))
      #expect(FileManager.default.fileExists(atPath: "\(resolved).pitr/journal.json"))
      #expect(
        try RestoreSandbox.sql(
          "SELECT count(*) FROM inventarios", dataDirectory: resolved, port: sandbox.port, database: "test")
          == "11")
      let status = try Command.pitr(["status", path], in: sandbox)
      #expect(
        status.standardOutput.hasPrefix("Restore into \(resolved) (port \(sandbox.port))"), "\(status.standardOutput)")
      #expect(status.standardOutput.contains("steps: 11 of 11 done"), "\(status.standardOutput)")
    }

    /// The ids of the lab plan's steps, in order.
    static func stepIDs(_ shared: InventariosApplyLab) throws -> [String] {
      let sandbox = try shared.sandbox("ids")
      defer { sandbox.remove() }
      let plan = try ApplyHarness.compile(shared.plan("  name: test_pirt", into: sandbox, tail: Actions.verify()))
      return plan.graph.ordered.map(\.id)
    }

    /// The time in the `recovery stopping` line `status` printed (the lab's clock).
    static func loggedStopTime(_ output: String) -> String {
      guard let range = output.range(of: "\"test_pirt\", time ") else { return "?" }
      return String(output[range.upperBound...].prefix { $0 != "\n" })
    }
  }
}

/// `pitr` run as a child process whose JSON events are read as they come, killed with
/// SIGKILL as soon as one event matches.
enum KilledApply {
  /// Runs `pitr arguments`, kills it once it prints the event `when` (an `event` and a
  /// `step`) and then, if given, as soon as `until` holds (polled every 0.2 ms), and returns
  /// the event lines read up to then.
  ///
  /// - Throws: when it ends or 120 s pass before that event.
  static func run(
    _ arguments: [String], in sandbox: RestoreSandbox, when: (event: String, step: String),
    until: (() -> Bool)? = nil
  ) throws -> [String] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: RepositoryPaths.pitrExecutable)
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(
      ["NO_COLOR": "1", "XDG_CACHE_HOME": sandbox.file("cache")]) { $1 }
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let reader = output.fileHandleForReading
    var buffer = Data()
    var lines: [String] = []
    let deadline = Date().addingTimeInterval(120)
    defer {
      if process.isRunning { kill(process.processIdentifier, SIGKILL) }
      process.waitUntilExit()
    }
    while Date() < deadline {
      let chunk = reader.availableData
      if chunk.isEmpty { break }  // pitr ended
      buffer.append(chunk)
      while let newline = buffer.firstIndex(of: 0x0A) {
        let line = String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self)
        buffer.removeSubrange(buffer.startIndex...newline)
        lines.append(line)
        guard let event = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
          event["event"] as? String == when.event, event["step"] as? String == when.step
        else { continue }
        if let until {
          while process.isRunning && !until() { usleep(200) }
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        return lines
      }
    }
    throw FixtureError("pitr ended before it printed \(when.event) of \(when.step): \(lines)")
  }
}
