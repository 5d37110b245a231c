import Execution
import Foundation
import PostgresVocabulary
import Testing
import WAL
import _PITRTestSupport

@testable import PITRCommands

#if canImport(Glibc)
  import Glibc
#endif

/// The command-line errors a user can hit in `pitr apply`, `pitr plan`, `pitr wal` and
/// `pitr wal-fetch`, each run through the built executable: its exit status and its message.
/// No PostgreSQL server is needed: the repositories are synthetic and the server binaries the
/// compiler looks for are stubs.
@Suite struct CommandErrorTests {
  // MARK: - Fixtures

  /// The first line of standard error: where ArgumentParser puts a `ValidationError`
  /// (`Error: <message>`), before the usage.
  static func firstLine(_ text: String) -> String {
    String(text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
  }

  /// A WAL archive of timeline 1 (segments 2 to 4, written by WALSegmentBuilder) in a
  /// temporary folder, with more written by the test when it needs it.
  struct Archive {
    let fixture: RepositoryFixture
    var wal: String { fixture.wal }

    init() throws {
      fixture = try RepositoryFixture()
      var builder = WALSegmentBuilder(
        major: 15, segmentSize: RepositoryFixture.segmentSize,
        systemIdentifier: RepositoryFixture.systemIdentifier, startSegment: 2)
      builder.pad(to: LSN(rawValue: 0x20_0100))
      builder.append(
        .restorePoint(name: "one", time: PostgresTimestamp(microsecondsSince2000: 819_910_860_000_000)))
      builder.append(.filler(totalLength: 2 << 20))
      builder.append(.switchSegment())
      try builder.write(to: fixture.wal, compressed: false)
    }

    func remove() { fixture.remove() }
  }

  /// A repository whose plan compiles without a PostgreSQL installation: backup `b1`, WAL
  /// with the restore point `before_delete`, and `bin/` holding a `pg_ctl` that says it is
  /// PostgreSQL 15 and a `postgres` that does nothing (the compiler only asks for the version).
  struct CompilableRepository {
    let fixture: RepositoryFixture
    var directory: TemporaryDirectory { fixture.directory }
    let planPath: String

    init() throws {
      fixture = try RepositoryFixture()
      try fixture.writeBeforeDeleteScenario()

      let bin = fixture.directory.file("bin")
      try fixture.directory.write("#!/bin/sh\necho 'pg_ctl (PostgreSQL) 15.18'\n", to: "bin/pg_ctl")
      try fixture.directory.write("#!/bin/sh\nexit 0\n", to: "bin/postgres")
      for program in ["pg_ctl", "postgres"] { chmod("\(bin)/\(program)", 0o755) }

      // As root the server must run as os_user; root itself always exists.
      let osUser = getuid() == 0 ? "  os_user: root\n" : ""
      planPath = try fixture.directory.write(
        """
        version: 1
        name: errors
        backups:
          base: \(fixture.base)
          wal: \(fixture.wal)
        target:
          name: before_delete
        destination:
          data_directory: \(fixture.directory.file("restore"))
          port: \(Self.freePort())
          bin_dir: \(bin)
        \(osUser)action: promote

        """, to: "plan.yaml")
    }

    /// A TCP port nothing listens on now.
    static func freePort() -> Int { SystemEnvironment().freePort() ?? 5599 }

    func remove() { fixture.remove() }
  }

  // MARK: - pitr apply

  @Test func aDrillNeedsAFolderThatExists() throws {
    let directory = try TemporaryDirectory("apply-tmpdir")
    defer { directory.remove() }
    let plan = try directory.write(SamplePlan.base, to: "plan.yaml")
    let result = try pitr(
      "apply", "--drill", plan, environment: ["TMPDIR": "/nonexistent"])
    #expect(result.status == 64)
    #expect(
      result.standardError
        == "pitr: error: /nonexistent (from $TMPDIR) is not a folder on this machine; create it, or "
        + "give the drill a folder with --drill-directory\n")
    let given = try pitr("apply", "--drill", plan, "--drill-directory", "/nonexistent/drills")
    #expect(given.status == 64)
    #expect(
      given.standardError == "pitr: error: --drill-directory /nonexistent/drills is not a folder on this machine\n")
    let withoutDrill = try pitr("apply", plan, "--drill-port", "5999")
    #expect(withoutDrill.status == 64)
    #expect(withoutDrill.standardError == "pitr: error: --drill-directory and --drill-port go with --drill\n")
  }

  /// A drill folder without room for the backup and the WAL is refused before anything is
  /// written: a 64 KiB tmpfs (mounting needs root, as CI and the live tests run).
  @Test(.enabled(if: getuid() == 0, "mounting a small tmpfs needs root"))
  func aDrillFolderWithoutRoomIsRefused() throws {
    let repository = try CompilableRepository()
    defer { repository.remove() }
    let small = repository.directory.file("small")
    try FileManager.default.createDirectory(atPath: small, withIntermediateDirectories: true)
    let mount = try ProcessRunner.run("/bin/mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", small])
    try #require(mount.succeeded, "mount: \(mount.standardError)")
    defer { _ = try? ProcessRunner.run("/bin/umount", [small]) }

    let result = try pitr("apply", repository.planPath, "--drill", "--drill-directory", small, "--yes")
    #expect(result.status == 2)
    let message = try #require(result.standardError.split(separator: "\n").first.map(String.init))
    #expect(
      message.wholeMatch(
        of:
          /pitr: error: the drill needs [0-9.]+ [KM]iB in (.+) \(the backup extracted, [0-9.]+ KiB, and the WAL recovery fetches, [0-9.]+ MiB\), but only [0-9.]+ KiB is free there; free some space or choose another --drill-directory/
      )?.1 == Substring(small), "\(result.standardError)")
    #expect(try FileManager.default.contentsOfDirectory(atPath: small).isEmpty, "nothing was written")
  }

  @Test func aJSONFileThatIsNotACompiledPlanIsAUsageError() throws {
    let directory = try TemporaryDirectory("apply-not-compiled")
    defer { directory.remove() }
    let text = "{\"version\": 1, \"steps\": []}\n"
    // Named .yaml: pitr takes it for a compiled plan by its first character.
    let path = try directory.write(text, to: "looks-like.yaml")
    let result = try pitr("apply", path, "--yes")
    #expect(result.status == 64)
    #expect(
      result.standardError == "pitr: error: \(path) is not a compiled plan pitr can read: it has no 'formatVersion'\n")
  }

  @Test func aCompiledPlanThatNoLongerMatchesWhatItsPlanCompilesToIsStale() throws {
    let repository = try CompilableRepository()
    defer { repository.remove() }
    let compiled = repository.directory.file("compiled.json")
    let written = try pitr(
      "plan", repository.planPath, "--format", "json", "--out", compiled, "--no-cache")
    #expect(written.status == 0, "\(written.standardError)")
    // The same plan file and the same backups, but other steps: as another pitr would write.
    var object = try #require(
      try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: compiled)))
        as? [String: Any])
    var destination = try #require(object["destination"] as? [String: Any], "\(object.keys)")
    let port = try #require(destination["port"] as? Int)
    destination["port"] = port == 65_000 ? 65_001 : 65_000
    object["destination"] = destination
    try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
      .write(to: URL(fileURLWithPath: compiled))

    let result = try pitr("apply", compiled, "--yes", "--no-cache")
    #expect(result.status == 2)
    let plan = repository.planPath
    #expect(
      result.standardError
        == "pitr: error: \(compiled) is stale: compiling \(plan) now gives different steps "
        + "(another pitr, or another machine); run pitr plan \(plan) --format json again and "
        + "review it\n")
  }

  @Test func theTimeoutMustBePositive() throws {
    let result = try pitr("apply", "plan.yaml", "--timeout", "0")
    #expect(result.status == 64)
    #expect(Self.firstLine(result.standardError) == "Error: --timeout must be a positive number of seconds")
  }

  // MARK: - pitr demo

  @Test func demoBinDirMustHoldTheServerPrograms() throws {
    let folder = try TemporaryDirectory("demo-bin")
    defer { folder.remove() }
    let result = try pitr("demo", "--bin-dir", folder.path)
    #expect(result.status == 64)
    #expect(
      result.standardError
        == "pitr: error: --bin-dir \(folder.path) has no initdb, pg_ctl, postgres, pg_basebackup; give "
        + "the folder holding PostgreSQL's initdb, pg_ctl, postgres and pg_basebackup (such as "
        + "/usr/lib/postgresql/17/bin)\n")
    #expect(result.standardOutput.isEmpty, "nothing was built")
  }

  // MARK: - pitr plan

  @Test func anOutputFileThatCannotBeWrittenIsAUsageError() throws {
    let repository = try CompilableRepository()
    defer { repository.remove() }
    let out = "/nonexistent/x.json"
    let reason: String
    do {
      try Data("{}".utf8).write(to: URL(fileURLWithPath: out), options: .atomic)
      Issue.record("\(out) could be written")
      return
    } catch {
      reason = error.localizedDescription
    }
    let result = try pitr("plan", repository.planPath, "--format", "json", "--out", out, "--no-cache")
    #expect(result.status == 64)
    #expect(result.standardError == "pitr: error: cannot write \(out): \(reason)\n")
    #expect(result.standardOutput.isEmpty)
  }

  // MARK: - pitr wal find: usage errors

  @Test(arguments: [
    (
      ["--kind", "x"],
      "unknown --kind 'x'; use commit, abort, restore-point, insert, update, delete, truncate"
    ),
    (
      ["--relation", "1663/16384/16386", "--table", "db.public.t", "--source", "host=/tmp"],
      "give --relation or --table, not both"
    ),
    (
      ["--relation", "1663/16384"],
      "--relation must be three OIDs, tablespace/database/relfilenode (1663/16384/16386)"
    ),
    (
      ["--table", "db.public.t"],
      "--table needs --source CONNINFO to look the table up, or --base DIR (or --plan PLAN) to "
        + "read it from the catalog of a base backup"
    ),
    (["--table", "public.t", "--source", "host=/tmp"], "--table must be database.schema.table"),
    (["--timeline", "0"], "--timeline must be 'newest' or a number of at least 1"),
    (["--all"], "--all needs --base DIR: without the backups every event is listed"),
    (
      ["--from", "2025-12-24 17:53:00"],
      "--from: '2025-12-24 17:53:00' has no zone; add one (-07, +00, UTC or America/Phoenix), or "
        + "give --base DIR to read it in the backups' timezone"
    ),
    (
      ["--to", "2025-12-24"],
      "--to: '2025-12-24' has no zone; add one (-07, +00, UTC or America/Phoenix), or give "
        + "--base DIR to read it in the backups' timezone"
    ),
    (["--from", "2025-02-30"], "--from: '2025-02-30' is not a valid date"),
  ])
  func walFindUsageErrors(arguments: [String], message: String) throws {
    let result = try ProcessRunner.run(
      RepositoryPaths.pitrExecutable, ["wal", "find", "--wal", "/tmp"] + arguments,
      environment: ["NO_COLOR": "1"], timeout: 30)
    #expect(result.status == 64)
    #expect(Self.firstLine(result.standardError) == "Error: \(message)", "\(result.standardError)")
    #expect(result.standardOutput.isEmpty)
  }

  @Test func restorePointsTimelineMustBeAtLeastOne() throws {
    let result = try pitr("wal", "restore-points", "--wal", "/tmp", "--timeline", "0")
    #expect(result.status == 64)
    #expect(
      Self.firstLine(result.standardError)
        == "Error: --timeline must be 'newest' or a number of at least 1")
  }

  // MARK: - pitr wal: the archive

  @Test func aFolderWithoutSegmentsIsAUsageError() throws {
    let directory = try TemporaryDirectory("wal-empty")
    defer { directory.remove() }
    for command in ["find", "restore-points"] {
      let result = try pitr("wal", command, "--wal", directory.path, "--no-cache")
      #expect(result.status == 64, "\(command)")
      #expect(result.standardError == "pitr: error: no WAL segments in \(directory.path)\n", "\(command)")
    }
  }

  @Test func aTimelineWithoutHistoryIsAUsageError() throws {
    let archive = try Archive()
    defer { archive.remove() }
    for command in ["find", "restore-points"] {
      let result = try pitr("wal", command, "--wal", archive.wal, "--no-cache", "--timeline", "7")
      #expect(result.status == 64, "\(command)")
      #expect(
        result.standardError == "pitr: error: timeline 7 has no history file in the archive\n",
        "\(command): \(result.standardError)")
      #expect(result.standardOutput.isEmpty, "\(command)")
    }
  }

  @Test func restorePointsWarnsOfATimelineWithoutHistory() throws {
    let archive = try Archive()
    defer { archive.remove() }
    // Timeline 2's segments, but no 00000002.history.
    try archive.fixture.writeSegments(timeline: 2, 3...4, gzip: false)
    let result = try pitr("wal", "restore-points", "--wal", archive.wal, "--no-cache")
    #expect(result.status == 0, "\(result.standardError)")
    #expect(
      result.standardError
        == "pitr: warning: timeline 2 has 2 segments in the archive but no history file "
        + "00000002.history, so pitr cannot tell which timeline it forked from or where, and no "
        + "restore can follow it; its segments were not read. PostgreSQL wrote 00000002.history "
        + "into the pg_wal/ folder of the server that promoted to timeline 2, when it promoted, "
        + "and archiving was off or failed then; copy pg_wal/00000002.history from that "
        + "server's data directory to \(archive.wal)/00000002.history\n")
    // wal find reads the highest timeline unless told: it cannot, and says which it can.
    let find = try pitr("wal", "find", "--wal", archive.wal, "--no-cache")
    #expect(find.status == 64)
    #expect(
      find.standardError
        == "pitr: error: timeline 2 has 2 segments in the archive but no history file "
        + "00000002.history, so pitr cannot tell which timeline it forked from or where, and no "
        + "restore can follow it. PostgreSQL wrote 00000002.history into the pg_wal/ folder of "
        + "the server that promoted to timeline 2, when it promoted, and archiving was off or "
        + "failed then; copy pg_wal/00000002.history from that server's data directory to "
        + "\(archive.wal)/00000002.history; or read another timeline with --timeline 1\n")
    // Timeline 1's points are still listed; timeline 2's segments were skipped.
    let rows = result.standardOutput.split(separator: "\n").dropFirst().map {
      $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
    }
    #expect(rows.map { [$0.first, $0.dropFirst(4).first] } == [["one", "1"]], "\(result.standardOutput)")
  }

  @Test func aTableThatCannotBeLookedUpIsAUsageError() throws {
    let archive = try Archive()
    defer { archive.remove() }
    let result = try pitr(
      "wal", "find", "--wal", archive.wal, "--no-cache", "--table", "db.public.t", "--source",
      "host=/nonexistent port=1")
    #expect(result.status == 64)
    // The rest is libpq's first line, which names the socket it tried.
    let prefix = "pitr: error: cannot look up db.public.t on the source: "
    #expect(result.standardError.hasPrefix(prefix), "\(result.standardError)")
    #expect(result.standardError.contains("\"/nonexistent/.s.PGSQL.1\""), "\(result.standardError)")
    #expect(result.standardError.filter { $0 == "\n" }.count == 1, "\(result.standardError)")
    #expect(result.standardOutput.isEmpty)
  }

  // MARK: - pitr wal-fetch

  @Test(arguments: [".", ".."])
  func dotNamesAreNotFileNames(name: String) throws {
    let archive = try Archive()
    defer { archive.remove() }
    let destination = archive.fixture.directory.file("RECOVERYXLOG")
    let result = try pitr("wal-fetch", "--wal", archive.wal, name, destination)
    #expect(result.status == 64)
    #expect(result.standardError == "pitr wal-fetch: error: \(name): not a file name\n")
    #expect(result.standardOutput.isEmpty)
    #expect(!FileManager.default.fileExists(atPath: destination))
  }
}
