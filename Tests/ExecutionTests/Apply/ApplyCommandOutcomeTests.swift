import Catalog
import Execution
import Foundation
import PostgresVocabulary
import Testing
import _PITRTestSupport

#if canImport(Glibc)
  import Glibc
#endif

extension ApplyTests {
  /// What `pitr apply` (the built executable, no terminal) ends with when a restore does not
  /// simply succeed: its exit status, standard error and output, and the server it leaves.
  @Suite struct CommandOutcomes {
    typealias Command = ApplyTests.Command

    /// Writes `text` as the sandbox's plan file and returns its path.
    static func writePlan(_ text: String, into sandbox: RestoreSandbox) throws -> String {
      let path = sandbox.file("plan.yaml")
      try Data(text.utf8).write(to: URL(fileURLWithPath: path))
      return path
    }

    /// The archived file of `segment` in the archive copy `wal` (at any depth).
    static func archivedFile(of segment: String, in wal: String) throws -> String {
      let relative = try #require(
        FileManager.default.enumerator(atPath: wal)?.allObjects.compactMap { $0 as? String }
          .first { ($0 as NSString).lastPathComponent.hasPrefix(segment) },
        "no \(segment) in \(wal)")
      return "\(wal)/\(relative)"
    }

    // MARK: - Exit status 1

    @Test func aFailingCheckOfPromoteIfVerifiedExitsOneAndLeavesTheServerPaused() throws {
      let shared = try InventariosApplyLab.get()
      let sandbox = try shared.sandbox("cli-unv")
      defer { sandbox.remove() }
      let plan = try Self.writePlan(
        shared.plan(
          "  name: test_pirt", into: sandbox, action: "promote-if-verified",
          tail: Actions.verify(failing: true)), into: sandbox)

      let result = try Command.pitr(["apply", plan, "--yes"], in: sandbox)

      #expect(result.status == 1, "\(result.standardError)")
      let errors = result.standardError
      #expect(errors.contains("    check passed: the last insert survived\n"), "\(errors)")
      #expect(errors.contains("    check FAILED: every row is back: expected '12', got ('11')\n"), "\(errors)")
      #expect(
        errors.hasSuffix(
          "pitr: error: a check failed, so the server was not promoted: it is left paused at the target "
            + "on port \(sandbox.port), read-only, for you to look at\n"), "\(errors)")
      // No summary claims a restore: standard output stays empty.
      #expect(result.standardOutput == "", "\(result.standardOutput)")
      #expect(sandbox.isServerRunning)
      #expect(try sandbox.sql("SELECT pg_is_in_recovery()") == "t")
      #expect(try sandbox.sql("SELECT pg_get_wal_replay_pause_state()") == "paused")
      #expect(try sandbox.sql("SELECT count(*) FROM inventarios", database: "test") == "11")
      let status = try Command.pitr(["status", plan], in: sandbox)
      #expect(status.status == 0, "\(status.standardError)")
      #expect(
        status.standardOutput.contains("\n  promote: failed: a check failed, so the server was not promoted"),
        "\(status.standardOutput)")
      #expect(
        status.standardOutput.contains("\n  server: running, paused, replayed up to "), "\(status.standardOutput)")
    }

    /// The command-line side of ``RecoveryFailures``: a segment recovery needs is damaged
    /// after the plan was compiled, its size and modification time kept (so the compiled plan
    /// is not stale: the catalog cannot tell), and PostgreSQL stops recovery with a FATAL.
    @Test func aRecoveryFatalExitsOneWithThePlainWordsAndTheLogLines() throws {
      let shared = try InventariosApplyLab.get()
      let scenario = shared.scenario
      let sandbox = try shared.sandbox("cli-fatal")
      defer { sandbox.remove() }
      let wal = sandbox.file("wal")
      try ApplyBackupCopy.copyArchive(shared.wal, to: wal)
      let plan = try Self.writePlan(
        ApplyHarness.planText(
          base: shared.base, wal: wal, target: "  time: \"\(scenario.deleteCommitTime)\"\n  inclusive: false",
          sandbox: sandbox), into: sandbox)
      let compiled = sandbox.file("plan.json")
      try Command.compile(plan, to: compiled, in: sandbox)
      let damaged = try Self.archivedFile(of: scenario.deleteWALFile, in: wal)
      try Self.flipByteKeepingSizeAndTime(in: damaged)

      let result = try Command.pitr(["apply", compiled, "--yes"], in: sandbox)

      #expect(result.status == 1, "\(result.standardError)")
      let errors = result.standardError
      #expect(
        errors.contains(
          "pitr: error: recovery failed: pitr wal-fetch found a WAL file in the archive but could not use it "
            + "(damaged, from another cluster, or unreadable): its error line is just above in the log; "
            + "replace the file from another copy of the archive, or choose a target before it\n"
            + "The server log says:\n"), "\(errors)")
      #expect(
        errors.split(separator: "\n").contains {
          $0.hasPrefix("  | ")
            && $0.contains("FATAL:  could not restore file \"\(scenario.deleteWALFile)\" from archive")
        }, "\(errors)")
      #expect(errors.contains(damaged), "the log lines name the damaged file: \(errors)")
      #expect(result.standardOutput == "", "\(result.standardOutput)")
      #expect(!sandbox.isServerRunning)
      let journal = try ApplyHarness.journal(in: sandbox)
      #expect(journal.status(of: "await-target") == .failed)
    }

    /// Flips one byte in the middle of `path` and gives the file its modification time back.
    static func flipByteKeepingSizeAndTime(in path: String) throws {
      var before = stat()
      #expect(stat(path, &before) == 0)
      let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
      let middle = UInt64(before.st_size / 2)
      try handle.seek(toOffset: middle)
      let byte = try #require(try handle.read(upToCount: 1)?.first)
      try handle.seek(toOffset: middle)
      try handle.write(contentsOf: Data([byte ^ 0xFF]))
      try handle.close()
      var times = [before.st_atim, before.st_mtim]
      #expect(utimensat(AT_FDCWD, path, &times, 0) == 0)
      var after = stat()
      #expect(stat(path, &after) == 0)
      #expect(after.st_size == before.st_size)
      #expect(after.st_mtim.tv_sec == before.st_mtim.tv_sec && after.st_mtim.tv_nsec == before.st_mtim.tv_nsec)
    }

    // MARK: - A stale compiled plan

    /// A segment archived after the predicted stop (a live source keeps archiving) leaves a
    /// compiled plan valid; a change to a segment it relies on makes it stale.
    @Test func aCompiledPlanIsStaleOnlyWhenWALItReliesOnChanged() throws {
      let shared = try InventariosApplyLab.get()
      let sandbox = try shared.sandbox("cli-stale")
      defer { sandbox.remove() }
      let wal = sandbox.file("wal")
      try ApplyBackupCopy.copyArchive(shared.wal, to: wal)
      let plan = try Self.writePlan(
        ApplyHarness.planText(base: shared.base, wal: wal, target: "  name: test_pirt", sandbox: sandbox),
        into: sandbox)
      let compiled = sandbox.file("plan.json")
      try Command.compile(plan, to: compiled, in: sandbox)
      // The source archives one more segment while the compiled plan waits for review.
      let archive = Catalog.scan(base: shared.base, wal: [wal], cache: .disabled).archive
      let last = try #require(archive.segments.last)
      let size = try #require(archive.segmentSize)
      let next = WALSegmentName(
        timeline: last.name.timeline, segmentNumber: try #require(last.name.segmentNumber(size: size)) + 1, size: size)
      try Data(
        try gzip(
          Self.emptySegment(
            next, size: size, systemIdentifier: shared.scenario.systemIdentifier, magic: last.header.magic))
      ).write(to: URL(fileURLWithPath: "\(wal)/\(next).gz"))
      let rescanned = Catalog.scan(base: shared.base, wal: [wal], cache: .disabled).archive
      #expect(rescanned.segments.last?.name == next, "the catalog must take the new segment")
      // The segment holding the restore point is archived again (a new modification time).
      let relied = try #require(
        archive.segments.first { $0.name.description == shared.scenario.insertWALFile }, "\(archive.segments)")
      var original = stat()
      #expect(stat(relied.path, &original) == 0)
      var later = [original.st_atim, timespec(tv_sec: original.st_mtim.tv_sec + 60, tv_nsec: 0)]
      #expect(utimensat(AT_FDCWD, relied.path, &later, 0) == 0)

      let stale = try Command.pitr(["apply", compiled, "--yes"], in: sandbox)

      #expect(stale.status == 2)
      #expect(
        stale.standardError.hasSuffix(
          "pitr: error: \(compiled) is stale: the backups or WAL it relies on changed since it was compiled; "
            + "run pitr plan \(plan) --format json again and review it\n"), "\(stale.standardError)")
      #expect(stale.standardOutput == "")
      #expect(!FileManager.default.fileExists(atPath: sandbox.dataDirectory))
      #expect(!FileManager.default.fileExists(atPath: sandbox.stateDirectory))

      // As it was: the new segment past the stop alone does not make the plan stale.
      var times = [original.st_atim, original.st_mtim]
      #expect(utimensat(AT_FDCWD, relied.path, &times, 0) == 0)
      let applied = try Command.pitr(["apply", compiled, "--yes"], in: sandbox)
      #expect(applied.status == 0, "\(applied.standardError)")
      #expect(try sandbox.sql("SELECT count(*) FROM inventarios", database: "test") == "11")
    }

    /// A segment as PostgreSQL starts one: the long page header, then zeros (no record yet).
    static func emptySegment(_ name: WALSegmentName, size: WALSegmentSize, systemIdentifier: UInt64, magic: UInt16)
      -> [UInt8]
    {
      var bytes = [UInt8](repeating: 0, count: Int(size.bytes))
      func put<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        withUnsafeBytes(of: value.littleEndian) { bytes.replaceSubrange(offset..<offset + $0.count, with: $0) }
      }
      put(magic, at: 0)
      put(UInt16(0x0002), at: 2)  // XLP_LONG_HEADER
      put(name.timeline.rawValue, at: 4)
      put(name.lsnRange(size: size)!.lowerBound.rawValue, at: 8)
      put(systemIdentifier, at: 24)
      put(UInt32(size.bytes), at: 32)
      put(UInt32(8192), at: 36)
      return bytes
    }

    // MARK: - The prediction compared, progress

    /// `--json` shows the extraction's progress as `progress` events; the summary compares
    /// the logged stop with the prediction. A server log edited after the restore (as if
    /// PostgreSQL had stopped elsewhere) makes the resumed run say they differ.
    @Test func progressEventsAndAStopThatDiffersFromThePrediction() throws {
      let shared = try InventariosApplyLab.get()
      let sandbox = try shared.sandbox("cli-pred")
      defer { sandbox.remove() }
      let plan = try Self.writePlan(shared.plan("  name: test_pirt", into: sandbox, action: "shutdown"), into: sandbox)

      let run = try Command.pitr(["apply", plan, "--yes", "--json"], in: sandbox)

      #expect(run.status == 0, "\(run.standardError)")
      let events = try run.standardOutput.split(separator: "\n").map { line in
        try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
      }
      let progress = events.filter { $0["event"] as? String == "progress" }
      let extraction = progress.filter { $0["step"] as? String == "extract-base" }
      try Self.expectSaneExtractionProgress(extraction.map { $0["message"] as? String ?? "" })
      // The numbers behind the messages: bytes that never go back, towards a total.
      #expect(extraction.allSatisfy { $0["unit"] as? String == "bytes" })
      let done = extraction.compactMap { ($0["done"] as? NSNumber)?.int64Value }
      let totals = extraction.compactMap { ($0["total"] as? NSNumber)?.int64Value }
      #expect(done.count == extraction.count && totals.count == extraction.count)
      #expect(zip(done, done.dropFirst()).allSatisfy { $0 <= $1 })
      #expect(totals.allSatisfy { $0 > 0 } && done.last == totals.last)
      for event in progress where event["step"] as? String == "await-target" {
        #expect(event["unit"] as? String == "wal-position")
        #expect((event["done"] as? NSNumber)?.int64Value ?? 0 > 0)
        #expect((event["total"] as? NSNumber)?.int64Value ?? 0 > 0)
      }
      #expect(extraction.allSatisfy { ($0["time"] as? Double).map { $0 > 1_700_000_000 } == true })
      // Extraction is the first step that reports progress, and it reports while it runs.
      let extractStarted = try #require(
        events.firstIndex { $0["event"] as? String == "step-started" && $0["step"] as? String == "extract-base" })
      let extractFinished = try #require(
        events.firstIndex { $0["event"] as? String == "step-finished" && $0["step"] as? String == "extract-base" })
      let firstProgress = try #require(events.firstIndex { $0["event"] as? String == "progress" })
      #expect(extractStarted < firstProgress && firstProgress < extractFinished)
      // Replay progress, when the server answered before stopping, names LSNs.
      for event in progress where event["step"] as? String == "await-target" {
        let message = event["message"] as? String ?? ""
        #expect(
          message.wholeMatch(of: /replayed up to [0-9A-F]+\/[0-9A-F]+, stopping at [0-9A-F]+\/[0-9A-F]+/) != nil,
          "\(message)")
      }
      try JSONSchemaValidator.expectLines(run.standardOutput, conformTo: "apply-events.schema.json")
      let report = try #require(events.last?["prediction"] as? [String: Any])
      let predicted = try #require(report["predicted"] as? String)
      #expect(report["logged"] as? String == predicted)
      #expect(report["matched"] as? Bool == true)
      #expect(events.last?["exitCode"] as? Int == 0)
      #expect(predicted.hasPrefix("recovery stopping at restore point \"test_pirt\", time "))

      // As if PostgreSQL had stopped at another restore point.
      let logPath = "\(sandbox.stateDirectory)/server.log"
      let log = sandbox.serverLog
      let elsewhere = predicted.replacingOccurrences(of: "\"test_pirt\"", with: "\"otro_punto\"")
      #expect(log.contains(predicted))
      try Data(log.replacingOccurrences(of: predicted, with: elsewhere).utf8).write(to: URL(fileURLWithPath: logPath))

      let text = try Command.pitr(["apply", plan, "--yes"], in: sandbox)

      #expect(text.status == 1, "\(text.standardError)")
      #expect(
        text.standardOutput
          == "Restored: the server stopped at the target; \(sandbox.dataDirectory) is ready to start.\n"
          + "PostgreSQL logged \"\(elsewhere)\", but pitr predicted \"\(predicted)\": look at the data "
          + "before trusting it.\n", "\(text.standardOutput)")
      let json = try Command.pitr(["apply", plan, "--yes", "--json"], in: sandbox)
      #expect(json.status == 1, "\(json.standardError)")
      let last = try #require(json.standardOutput.split(separator: "\n").last.map(String.init))
      let finished = try #require(JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any])
      #expect(finished["event"] as? String == "finished")
      try JSONSchemaValidator.expectLines(json.standardOutput, conformTo: "apply-events.schema.json")
      let resumed = try #require(finished["prediction"] as? [String: Any])
      #expect(resumed["logged"] as? String == elsewhere)
      #expect(resumed["predicted"] as? String == predicted)
      #expect(resumed["matched"] as? Bool == false)
      #expect(finished["outcome"] as? String == "shut-down")
      #expect(finished["exitCode"] as? Int == 1)
      #expect(
        finished["exitReason"] as? String
          == "PostgreSQL stopped elsewhere than pitr predicted: look at the data before trusting it")
      // The resumed run had nothing left to do: every step is told as skipped.
      let steps = try #require(finished["steps"] as? [[String: Any]])
      #expect(!steps.isEmpty && steps.allSatisfy { $0["skipped"] as? Bool == true }, "\(steps)")

      // A log without any stop line.
      try Data(log.replacingOccurrences(of: predicted, with: "").utf8).write(to: URL(fileURLWithPath: logPath))
      let silent = try Command.pitr(["apply", plan, "--yes"], in: sandbox)
      #expect(silent.status == 1, "\(silent.standardError)")
      #expect(
        silent.standardOutput.contains(
          "\nPostgreSQL logged \"no recovery stopping line\", but pitr predicted \"\(predicted)\": look at "
            + "the data before trusting it.\n"), "\(silent.standardOutput)")
    }

    /// Each extraction progress message is "DONE of TOTAL (N%)" (then a rate and time left):
    /// the bytes never go back, the share stays within 0…100, and the last one is the end.
    static func expectSaneExtractionProgress(_ messages: [String]) throws {
      try #require(!messages.isEmpty, "no progress event for extract-base")
      let pattern =
        /^([0-9.]+) (bytes|KiB|MiB|GiB|TiB) of ([0-9.]+) (bytes|KiB|MiB|GiB|TiB) \(([0-9]+)%\)(, [0-9.]+ (bytes|KiB|MiB|GiB|TiB)\/s(, about [0-9a-z ]+ left)?)?$/
      func bytes(_ value: Substring, _ unit: Substring) -> Double {
        let units = ["bytes", "KiB", "MiB", "GiB", "TiB"]
        return Double(value)! * pow(1024, Double(units.firstIndex(of: String(unit))!))
      }
      var previous = -1.0
      for message in messages {
        let match = try #require(message.wholeMatch(of: pattern), "\(message)")
        let done = bytes(match.1, match.2)
        let total = bytes(match.3, match.4)
        let share = Int(match.5)!
        #expect(done >= previous, "progress went back: \(messages)")
        #expect(done <= total && (0...100).contains(share), "\(message)")
        previous = done
      }
      let last = try #require(messages.last?.wholeMatch(of: pattern))
      #expect(last.1 == last.3 && last.2 == last.4 && last.5 == "100", "the last report is the end: \(messages)")
      #expect(previous > Double(1 << 20), "a base backup is more than a MiB: \(messages)")
    }
  }
}
