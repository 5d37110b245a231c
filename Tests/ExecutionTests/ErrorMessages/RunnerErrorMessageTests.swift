import Compiler
import Foundation
import Testing
import _PITRTestSupport

@testable import Execution

#if canImport(Glibc)
  import Glibc
#endif

extension ErrorMessages {
  /// The runner's refusals before PostgreSQL starts, its lock, the extraction check of the
  /// backup's WAL, the prefetch's writes, a recovery FATAL and the server binaries' version.
  @Suite struct RunnerErrorMessageTests {
    // MARK: - RunLock

    @Test func aLockThatCannotBeCreatedIsNamedWithTheSystemsReason() throws {
      let lock = RunLock(stateDirectory: "/nonexistent/x")

      let error = try #require(throws: RunnerError.self) { try lock.acquire() }

      #expect(error.description == "cannot create the lock /nonexistent/x/lock: No such file or directory")
    }

    /// `kill -9` of pitr leaves its lock behind, naming a process that is gone or, until
    /// its parent reaps it, a zombie: neither holds the lock.
    @Test func aLockOfAKilledProcessIsNotHeldEvenWhileItIsAZombie() throws {
      let directory = try TemporaryDirectory("zombie")
      defer { directory.remove() }
      var child: pid_t = 0
      let arguments: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/true"), nil]
      defer { for argument in arguments { free(argument) } }
      #expect(posix_spawn(&child, "/bin/true", nil, nil, arguments, environ) == 0)
      defer {
        var status: Int32 = 0
        waitpid(child, &status, 0)
      }
      // Not reaped yet: it stays a zombie, which kill(pid, 0) still finds.
      var waited = 0
      while (try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8))?.contains(") Z") != true,
        waited < 500
      {
        usleep(10_000)
        waited += 1
      }
      #expect(kill(child, 0) == 0)
      try directory.write("\(child)\n", to: "lock")

      #expect(RunLock.holder(stateDirectory: directory.path) == nil)
      let lock = RunLock(stateDirectory: directory.path)
      try lock.acquire()
      lock.release()
    }

    // MARK: - RestoreRunner: the journal

    @Test func aJournalOfAnotherRestoreIsRefusedBeforeAnythingRuns() throws {
      let fixture = try RunnerFixture()
      defer { fixture.remove() }
      let plan = try fixture.compile()
      try fixture.seed(
        Journal(
          planHash: plan.planHash, catalogFingerprint: "another-catalog",
          stepIDs: plan.graph.ordered.map(\.id)))
      let (runner, observer) = fixture.runner(plan)

      let error = try #require(throws: RunnerError.self) { try runner.run() }

      #expect(
        error.description
          == "\(fixture.stateDirectory) holds the journal of another restore (another plan, or the "
          + "backups changed since); remove \(fixture.dataDirectory) and \(fixture.stateDirectory) "
          + "to start again")
      #expect(observer.started.isEmpty)
      #expect(!FileManager.default.fileExists(atPath: fixture.dataDirectory))
    }

    /// A journal of `plan` as a run killed during extract-base leaves it: the destination
    /// checked and the data directory created, extract-base running.
    static func killedWhileExtracting(_ plan: CompiledPlan) -> Journal {
      var journal = Journal(
        planHash: plan.planHash, catalogFingerprint: plan.catalogFingerprint,
        stepIDs: plan.graph.ordered.map(\.id))
      for (index, entry) in journal.steps.enumerated() {
        switch entry.id {
        case "check-destination", "create-data-directory": journal.steps[index].status = .done
        case "extract-base": journal.steps[index].status = .running
        default: break
        }
      }
      return journal
    }

    @Test func anInterruptedExtractionAmongFilesPitrDidNotWriteIsRefusedAndNothingRemoved() throws {
      let fixture = try RunnerFixture()
      defer { fixture.remove() }
      let plan = try fixture.compile()
      try fixture.seed(Self.killedWhileExtracting(plan))
      // Half of the backup (PG_VERSION, pg_wal/) and two files that are not the backup's.
      try fixture.repository.write(Array("15\n".utf8), to: "\(fixture.dataDirectory)/PG_VERSION")
      try fixture.repository.write([0, 1], to: "\(fixture.dataDirectory)/pg_wal/000000010000000000000002")
      try fixture.repository.write(Array("mine\n".utf8), to: "\(fixture.dataDirectory)/base/1/notes.txt")
      try fixture.repository.write(Array("x\n".utf8), to: "\(fixture.dataDirectory)/postmaster.opts")
      // The backup carries a pg_wal.tar, so extract-wal is a step too.
      #expect(plan.graph.steps.map(\.id).contains("extract-wal"))
      let (runner, observer) = fixture.runner(plan)

      let error = try #require(throws: RunnerError.self) { try runner.run() }

      #expect(
        error.description
          == "a previous run stopped while extracting (extract-base, extract-wal not finished), and "
          + "\(fixture.dataDirectory) now holds files pitr did not write (\(fixture.dataDirectory)/base/1/notes.txt, "
          + "\(fixture.dataDirectory)/postmaster.opts); pitr removes only what it wrote: move them away, or "
          + "remove \(fixture.dataDirectory) and \(fixture.stateDirectory), then run pitr apply again")
      #expect(observer.started.isEmpty)
      #expect(FileManager.default.fileExists(atPath: "\(fixture.dataDirectory)/PG_VERSION"))
      #expect(FileManager.default.fileExists(atPath: "\(fixture.dataDirectory)/base/1/notes.txt"))
    }

    @Test func anInterruptedExtractionOfOnlyTheBackupsFilesIsClearedAndExtractedAgain() throws {
      let fixture = try RunnerFixture()
      defer { fixture.remove() }
      let plan = try fixture.compile()
      try fixture.seed(Self.killedWhileExtracting(plan))
      // What a run killed mid-extract leaves: whole files, one cut short, directories.
      try fixture.repository.write(Array("15\n".utf8), to: "\(fixture.dataDirectory)/PG_VERSION")
      try fixture.repository.write([7, 7, 7], to: "\(fixture.dataDirectory)/base/1/1259")
      try fixture.repository.write([0, 1], to: "\(fixture.dataDirectory)/pg_wal/000000010000000000000002")
      let (runner, observer) = fixture.runner(plan)

      // extract-base runs again and passes; the fixture's empty pg_wal.tar stops extract-wal.
      let error = try #require(throws: RunnerError.self) { try runner.run() }

      #expect(
        error.description.hasSuffix(
          "holds no WAL segment after extraction; the backup's WAL archive is missing or empty"))
      #expect(
        observer.notes.contains(
          "a previous run stopped while extracting (extract-base, extract-wal not finished); pitr made "
            + "\(fixture.dataDirectory) and everything in it came from the backup: cleared it, extracting again"),
        "\(observer.notes)")
      Self.expectStartedUntilExtractWALFailed(observer.started, first: ["extract-base"])
      #expect(try Data(contentsOf: URL(fileURLWithPath: "\(fixture.dataDirectory)/base/1/1259")).count == 5000)
      #expect(try FileManager.default.contentsOfDirectory(atPath: "\(fixture.dataDirectory)/pg_wal") == [])
    }

    @Test func aRunInterruptedBeforeItCreatedTheDataDirectoryIsRefusedWhenTheDirectoryIsNotEmpty() throws {
      let fixture = try RunnerFixture()
      defer { fixture.remove() }
      let plan = try fixture.compile()
      var journal = Self.killedWhileExtracting(plan)
      for index in journal.steps.indices where journal.steps[index].id != "check-destination" {
        journal.steps[index].status = .pending
      }
      journal.set("create-data-directory", .running)
      try fixture.seed(journal)
      try fixture.repository.write(Array("15\n".utf8), to: "\(fixture.dataDirectory)/PG_VERSION")
      let (runner, observer) = fixture.runner(plan)

      let error = try #require(throws: RunnerError.self) { try runner.run() }

      #expect(
        error.description
          == "a previous run stopped before it had created \(fixture.dataDirectory), and it is not empty "
          + "now; pitr restores only into an absent or empty directory: remove \(fixture.dataDirectory) "
          + "and \(fixture.stateDirectory), then run pitr apply again")
      #expect(observer.started.isEmpty)
    }

    /// Every step done, then the data directory removed: the runner redoes the restore from
    /// create-data-directory (here up to the fixture's empty pg_wal.tar) instead of skipping.
    @Test func aDataDirectoryRemovedAfterEveryStepWasDoneIsRestoredAgain() throws {
      let fixture = try RunnerFixture()
      defer { fixture.remove() }
      let plan = try fixture.compile()
      var journal = Journal(
        planHash: plan.planHash, catalogFingerprint: plan.catalogFingerprint,
        stepIDs: plan.graph.ordered.map(\.id))
      for id in plan.graph.ordered.map(\.id) { journal.set(id, .done) }
      try fixture.seed(journal)
      try fixture.repository.write(Array("an old server's log\n".utf8), to: "\(fixture.stateDirectory)/server.log")
      let (runner, observer) = fixture.runner(plan)

      let error = try #require(throws: RunnerError.self) { try runner.run() }

      #expect(
        error.description.hasSuffix(
          "holds no WAL segment after extraction; the backup's WAL archive is missing or empty"))
      #expect(
        observer.notes.contains("\(fixture.dataDirectory) is gone: redoing the restore from create-data-directory"),
        "\(observer.notes)")
      Self.expectStartedUntilExtractWALFailed(
        observer.started, first: ["check-destination", "create-data-directory", "extract-base"])
      #expect(
        try String(contentsOfFile: "\(fixture.stateDirectory)/server.log.previous", encoding: .utf8)
          == "an old server's log\n")
      #expect(!FileManager.default.fileExists(atPath: "\(fixture.stateDirectory)/server.log"))
    }

    @Test func theOutputOfEachDoneStepIsLookedFor() throws {
      let fixture = try RunnerFixture()
      defer { fixture.remove() }
      let plan = try fixture.compile()
      let outputs = StepOutputs(destination: plan.destination)
      var journal = Journal(
        planHash: plan.planHash, catalogFingerprint: plan.catalogFingerprint,
        stepIDs: plan.graph.ordered.map(\.id))
      for id in ["check-destination", "create-data-directory", "extract-base", "extract-wal"] {
        journal.set(id, .done)
      }
      let data = fixture.dataDirectory

      #expect(outputs.firstGone(in: journal) == .init(step: "create-data-directory", missing: "\(data) is gone"))
      try fixture.repository.write(Array("15\n".utf8), to: "\(data)/PG_VERSION")
      #expect(
        outputs.firstGone(in: journal) == .init(step: "extract-base", missing: "\(data)/global/pg_control is gone"))
      try fixture.repository.write([1], to: "\(data)/global/pg_control")
      #expect(outputs.firstGone(in: journal) == .init(step: "extract-wal", missing: "\(data)/pg_wal is gone"))
      try FileManager.default.createDirectory(atPath: "\(data)/pg_wal", withIntermediateDirectories: true)
      #expect(outputs.firstGone(in: journal) == nil)
      journal.set("write-recovery-config", .done)
      #expect(
        outputs.firstGone(in: journal)
          == .init(step: "write-recovery-config", missing: "\(fixture.stateDirectory)/pg_hba.conf is gone"))
      try fixture.repository.write([], to: "\(fixture.stateDirectory)/pg_hba.conf")
      #expect(
        outputs.firstGone(in: journal)
          == .init(step: "write-recovery-config", missing: "the pitr block of \(data)/postgresql.auto.conf is gone"))
      // Once the server started, the configuration and recovery.signal are its own business.
      journal.set("write-signal", .done)
      journal.set("start-server", .done)
      #expect(outputs.firstGone(in: journal) == nil)
    }

    // MARK: - RestoreRunner: check-destination

    @Test func aDataDirectoryPathTakenByAFileSinceCompilingIsRefused() throws {
      let fixture = try RunnerFixture()
      defer { fixture.remove() }
      let plan = try fixture.compile()
      try fixture.repository.write(Array("in the way\n".utf8), to: fixture.dataDirectory)
      let (runner, observer) = fixture.runner(plan)

      let error = try #require(throws: RunnerError.self) { try runner.run() }

      #expect(
        error.description
          == "\(fixture.dataDirectory) is now a file; pitr restores only into an absent or empty directory")
      #expect(observer.started == ["check-destination"])
      let journal = try #require(Journal.load(from: fixture.stateDirectory))
      #expect(journal.status(of: "check-destination") == .failed)
      #expect(journal.steps.first { $0.id == "check-destination" }?.message == error.description)
    }

    /// A directory that gained files since the plan was compiled is refused by
    /// check-destination, before anything of it is touched (this run's own journal, already
    /// saved beside it, does not make it pass).
    @Test func aDirectoryThatGainedAFileSinceCompilingIsRefused() throws {
      let fixture = try RunnerFixture()
      defer { fixture.remove() }
      let plan = try fixture.compile()
      try fixture.repository.write(Array("dropped in\n".utf8), to: "\(fixture.dataDirectory)/stray")
      let (runner, observer) = fixture.runner(plan)

      let error = try #require(throws: RunnerError.self) { try runner.run() }

      #expect(
        error.description
          == "\(fixture.dataDirectory) is no longer empty; pitr restores only into an absent or "
          + "empty directory")
      #expect(observer.started == ["check-destination"])
      #expect(
        try String(contentsOfFile: "\(fixture.dataDirectory)/stray", encoding: .utf8) == "dropped in\n")
      #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.dataDirectory) == ["stray"])
    }

    @Test func aPortTakenSinceCompilingIsRefused() throws {
      let fixture = try RunnerFixture()
      defer { fixture.remove() }
      let listener = try ListeningSocket()
      defer { listener.close() }
      let plan = try fixture.compile(port: listener.port)
      let (runner, observer) = fixture.runner(plan)

      let error = try #require(throws: RunnerError.self) { try runner.run() }

      #expect(error.description == "port \(listener.port) is now in use; choose another in the plan")
      #expect(observer.started == ["check-destination"])
      #expect(!FileManager.default.fileExists(atPath: fixture.dataDirectory))
    }

    // MARK: - Extraction steps

    @Test func aBackupWhoseWALArchiveIsEmptyIsRefusedAfterExtraction() throws {
      // The fixture's backup has an empty pg_wal.tar: extract-base writes pg_wal/ with nothing
      // in it, and extract-wal, the step after it, finds no segment there.
      let fixture = try RunnerFixture()
      defer { fixture.remove() }
      let plan = try fixture.compile()
      let (runner, observer) = fixture.runner(plan)
      defer { runner.tearDown() }

      let error = try #require(throws: RunnerError.self) { try runner.run() }

      #expect(
        error.description
          == "\(fixture.dataDirectory)/pg_wal holds no WAL segment after extraction; the backup's "
          + "WAL archive is missing or empty")
      Self.expectStartedUntilExtractWALFailed(
        observer.started, first: ["check-destination", "create-data-directory", "extract-base"])
      let journal = try #require(Journal.load(from: fixture.stateDirectory))
      #expect(journal.status(of: "extract-base") == .done)
      #expect(journal.status(of: "extract-wal") == .failed)
      #expect(journal.status(of: "start-server") == .pending)
    }

    /// The steps started when extract-wal failed: `first` in order, then extract-wal, and
    /// besides only steps nothing orders after it (prefetch-wal runs beside extraction; the
    /// recovery files may start beside extract-wal); never the server.
    static func expectStartedUntilExtractWALFailed(
      _ started: [String], first: [String], sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) {
      #expect(started.starts(with: first), "\(started)", sourceLocation: sourceLocation)
      #expect(started.contains("extract-wal"), "\(started)", sourceLocation: sourceLocation)
      let beside: Set<String> = ["prefetch-wal", "write-recovery-config", "write-signal"]
      #expect(
        Set(started).isSubset(of: Set(first + ["extract-wal"]).union(beside)), "\(started)",
        sourceLocation: sourceLocation)
    }

    // MARK: - PrefetchWAL

    @Test func aSpoolFileThatCannotBeWrittenIsNamed() throws {
      let directory = try TemporaryDirectory("prefetch-write")
      defer { directory.remove() }
      let source = try directory.write("a segment, not compressed\n", to: "source")

      let error = try #require(throws: RunnerError.self) {
        try PrefetchWAL.decompress(source, to: "/nonexistent/x")
      }

      #expect(error.description == "cannot write /nonexistent/x.prefetch")
    }

    @Test func aSpoolFileThatCannotBeRenamedIsNamed() throws {
      let directory = try TemporaryDirectory("prefetch-rename")
      defer { directory.remove() }
      let source = try directory.write("a segment, not compressed\n", to: "source")
      // The spooled name is taken by a directory, which a file cannot be renamed onto.
      let target = directory.file("000000010000000000000002")
      try directory.write("", to: "000000010000000000000002/occupied")

      let error = try #require(throws: RunnerError.self) {
        try PrefetchWAL.decompress(source, to: target)
      }

      #expect(error.description == "cannot rename \(target).prefetch")
    }

    // MARK: - RecoveryLog

    @Test func aMissingStartCheckpointIsExplained() {
      let log = [
        "2026-11-22 18:14:41.982 UTC [4242] LOG:  starting archive recovery",
        "2026-11-22 18:14:41.990 UTC [4242] FATAL:  could not locate required checkpoint record",
        "2026-11-22 18:14:41.990 UTC [4242] HINT:  If you are restoring from a backup, touch \"recovery.signal\".",
      ].joined(separator: "\n")

      let state = RecoveryLog.read(log)

      #expect(
        state.failure
          == "recovery failed: the backup's start checkpoint is not in the archive or the backup's pg_wal")
      #expect(state.failureLines.count == 3)
    }

    // MARK: - SystemEnvironment

    @Test func aPgCtlWhoseVersionCannotBeReadIsNamed() throws {
      let directory = try TemporaryDirectory("binaries")
      defer { directory.remove() }
      let pgCtl = try directory.write("#!/bin/sh\nexit 1\n", to: "bin/pg_ctl")
      let postgres = try directory.write("#!/bin/sh\nexit 0\n", to: "bin/postgres")
      for script in [pgCtl, postgres] {
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script)
      }
      let bin = directory.file("bin")

      let binaries = SystemEnvironment().serverBinaries(in: bin, majorVersion: 15)

      #expect(binaries.problem == "cannot tell the version of \(bin)/pg_ctl (pg_ctl --version failed)")
      #expect(binaries.directory == bin)
      #expect(binaries.majorVersion == nil)
    }
  }
}
