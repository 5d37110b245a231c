import Foundation
import PostgresVocabulary
import Testing
import _PITRTestSupport

#if canImport(Glibc)
  import Glibc
#endif

/// `pitr wal-fetch` as PostgreSQL runs it: exit codes, one line on stderr, never anything on
/// stdout.
@Suite struct WALFetchCommandTests {
  static let name = "000000010000000000000005"

  /// An archive with segment 5 gzip'd in a dated folder, a spool, and `pg_wal`.
  struct Setup {
    let repository: RepositoryFixture
    var spool: String { repository.directory.file("spool") }
    var destination: String { repository.directory.file("pg_wal/RECOVERYXLOG") }

    init() throws {
      repository = try RepositoryFixture()
      try repository.writeSegment(WALFetchCommandTests.name, folder: "2026-11-22", gzip: true)
      try FileManager.default.createDirectory(
        atPath: repository.directory.file("pg_wal"), withIntermediateDirectories: true)
    }

    func fetch(_ name: String, _ extra: String...) throws -> ProcessResult {
      let arguments =
        ["wal-fetch", "--wal", repository.wal, "--spool", spool] + extra + [name, destination]
      let result = try ProcessRunner.run(
        RepositoryPaths.pitrExecutable, arguments, environment: ["NO_COLOR": "1"], timeout: 30)
      #expect(!result.timedOut && !result.terminatedBySignal)
      #expect(result.standardOutput.isEmpty, "stdout: \(result.standardOutput)")
      return result
    }
  }

  @Test func aFetchedSegmentExitsZeroSilently() throws {
    let setup = try Setup()
    defer { setup.repository.remove() }
    let result = try setup.fetch(Self.name)
    #expect(result.status == 0)
    #expect(result.standardError.isEmpty)
    #expect(
      FileManager.default.contents(atPath: setup.destination)
        == Data(RepositoryFixture.segmentBytes(Self.name)))
    #expect(FileManager.default.fileExists(atPath: "\(setup.spool)/index"))
  }

  @Test func aSpooledSegmentIsRenamedOntoTheDestination() throws {
    let setup = try Setup()
    defer { setup.repository.remove() }
    let bytes = RepositoryFixture.segmentBytes(Self.name)
    let spooled = try setup.repository.write(bytes, to: "\(setup.spool)/\(Self.name)")
    var before = stat()
    #expect(stat(spooled, &before) == 0)
    let result = try setup.fetch(Self.name)
    #expect(result.status == 0)
    #expect(result.standardError.isEmpty)
    var after = stat()
    #expect(stat(setup.destination, &after) == 0)
    #expect(after.st_ino == before.st_ino && after.st_dev == before.st_dev)
    #expect(!FileManager.default.fileExists(atPath: spooled))
    #expect(FileManager.default.contents(atPath: setup.destination) == Data(bytes))
    // Served from the spool: the archive's index was never needed.
    #expect(!FileManager.default.fileExists(atPath: "\(setup.spool)/index"))
  }

  @Test func aMissingFileExitsOneWithOneShortLine() throws {
    let setup = try Setup()
    defer { setup.repository.remove() }
    let result = try setup.fetch("00000002.history")
    #expect(result.status == 1)
    #expect(
      result.standardError == "pitr wal-fetch: 00000002.history: not in \(setup.repository.wal)\n")
    #expect(!FileManager.default.fileExists(atPath: setup.destination))
  }

  @Test func aDamagedSegmentExitsTwoNamingTheFileAndTheProblem() throws {
    let setup = try Setup()
    defer { setup.repository.remove() }
    let name = "000000010000000000000006"
    let file = try setup.repository.writeSegment(
      name, bytes: RepositoryFixture.segmentBytes(name, pageAddress: LSN(rawValue: 0x500000)))
    let result = try setup.fetch(name)
    #expect(result.status == 200)
    #expect(
      result.standardError
        == "pitr wal-fetch: error: \(file): xlp_pageaddr is 0/500000, but segment \(name) "
        + "starts at 0/600000: the file holds another segment\n"
    )
    #expect(!FileManager.default.fileExists(atPath: setup.destination))
  }

  @Test func anotherClustersSegmentExitsTwo() throws {
    let setup = try Setup()
    defer { setup.repository.remove() }
    let result = try setup.fetch(Self.name, "--system-identifier", "42")
    #expect(result.status == 200)
    #expect(
      result.standardError.contains(
        "it belongs to another cluster: system identifier "
          + "\(RepositoryFixture.systemIdentifier), expected 42"
      ))
    let right = try setup.fetch(
      Self.name, "--system-identifier", String(RepositoryFixture.systemIdentifier))
    #expect(right.status == 0)
  }

  @Test func anUnsupportedCompressionExitsTwo() throws {
    let setup = try Setup()
    defer { setup.repository.remove() }
    let name = "000000010000000000000007"
    let file = try setup.repository.write(
      [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00, 0], to: "\(setup.repository.wal)/\(name).xz")
    let result = try setup.fetch(name)
    #expect(result.status == 200)
    #expect(
      result.standardError
        == "pitr wal-fetch: error: \(file): compressed with xz, which pitr cannot "
        + "decompress; archive WAL with gzip, zstd or lz4, or decompress the file\n"
    )
  }

  @Test func aTruncatedZstdSegmentExitsTwo() throws {
    let setup = try Setup()
    defer { setup.repository.remove() }
    let name = "000000010000000000000007"
    let file = try setup.repository.write(
      [0x28, 0xB5, 0x2F, 0xFD, 0, 0, 0], to: "\(setup.repository.wal)/\(name).zst")
    let result = try setup.fetch(name)
    #expect(result.status == 200)
    #expect(
      result.standardError == "pitr wal-fetch: error: zstd stream truncated at byte 7 of \(file)\n")
  }

  @Test func usageErrorsExitSixtyFour() throws {
    let setup = try Setup()
    defer { setup.repository.remove() }
    let noArchive = try pitr("wal-fetch", Self.name, setup.destination)
    #expect(noArchive.status == 64)
    #expect(noArchive.standardError.contains("give the archive with --wal DIR"))
    let path = try setup.fetch("pg_wal/\(Self.name)")
    #expect(path.status == 64)
    #expect(path.standardError.contains("'pg_wal/\(Self.name)' is not a file name"))
    let missingDestination = try pitr("wal-fetch", "--wal", setup.repository.wal, Self.name)
    #expect(missingDestination.status == 64)
    let needs = try setup.fetch(Self.name, "--needs", "000000010000000000000006-000000010000000000000003")
    #expect(needs.status == 64)
    #expect(
      needs.standardError.contains(
        "--needs '000000010000000000000006-000000010000000000000003' is not FIRST-LAST, two segment "
          + "names of one timeline in order"))
  }

  /// An archive folder that is gone (an unmounted disk, a typo) is not "not archived": exit
  /// 200 stops recovery where exit 1 would end it, and promote, early. A file already in the
  /// spool is still served.
  @Test func aMissingArchiveFolderStopsRecoveryButTheSpoolStillServes() throws {
    let setup = try Setup()
    defer { setup.repository.remove() }
    let gone = setup.repository.directory.file("unmounted")
    let absent = try pitr("wal-fetch", "--wal", gone, Self.name, setup.destination)
    #expect(absent.status == 200)
    #expect(
      absent.standardError
        == "pitr wal-fetch: error: \(Self.name): not found, but cannot read \(gone): No such file "
        + "or directory, so whether it is archived there is unknown; recovery stops here rather "
        + "than take it for the end of the archive: make it readable (the folder, host or endpoint) "
        + "and run pitr apply again (it resumes)\n")
    #expect(!FileManager.default.fileExists(atPath: setup.destination))
    let bytes = RepositoryFixture.segmentBytes(Self.name)
    _ = try setup.repository.write(bytes, to: "\(setup.spool)/\(Self.name)")
    let spooled = try pitr(
      "wal-fetch", "--wal", gone, "--spool", setup.spool, Self.name, setup.destination)
    #expect(spooled.status == 0)
    #expect(FileManager.default.contents(atPath: setup.destination) == Data(bytes))
  }

  /// An S3 endpoint or SSH host that cannot be reached is not "not archived" either.
  @Test func anUnreachableRemoteArchiveStopsRecovery() throws {
    let setup = try Setup()
    defer { setup.repository.remove() }
    let port = try MotoServer.freePort()
    let s3 = try ProcessRunner.run(
      RepositoryPaths.pitrExecutable,
      [
        "wal-fetch", "--wal", "s3://bkt/wal", "--s3-endpoint", "http://127.0.0.1:\(port)",
        "--s3-region", "us-east-1", "--s3-path-style", "true", Self.name, setup.destination,
      ],
      environment: [
        "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "PITR_S3_ATTEMPTS": "1",
        "PITR_S3_RETRY_DELAY": "0",
      ], timeout: 30)
    #expect(s3.status == 200)
    #expect(
      s3.standardError
        == "pitr wal-fetch: error: \(Self.name): not found, but cannot read s3://bkt/wal: cannot reach "
        + "the S3 endpoint http://127.0.0.1:\(port) (connection refused) after 1 attempt; check the "
        + "endpoint (AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL or backups.s3.endpoint), the network, and "
        + "that the service is running, so whether it is archived there is unknown; recovery stops "
        + "here rather than take it for the end of the archive: make it readable (the folder, host "
        + "or endpoint) and run pitr apply again (it resumes)\n")
    let ssh = try pitr(
      "wal-fetch", "--wal", "ssh://root@127.0.0.1:\(port)/srv/wal", "--spool", setup.spool, Self.name,
      setup.destination)
    #expect(ssh.status == 200)
    #expect(
      ssh.standardError.hasPrefix(
        "pitr wal-fetch: error: \(Self.name): not found, but cannot read ssh://root@127.0.0.1:\(port)/srv/wal: "
          + "cannot reach ssh://root@127.0.0.1:\(port) (ssh said: ssh: connect to host 127.0.0.1 port \(port): "
          + "Connection refused)"))
  }

  /// The same when the folder goes away after the index was made: the index notes each
  /// folder's time, so the look-up walks again and finds the folder gone.
  @Test func anArchiveFolderGoneAfterTheIndexWasMadeStopsRecovery() throws {
    let setup = try Setup()
    defer { setup.repository.remove() }
    #expect(try setup.fetch(Self.name).status == 0)
    #expect(try setup.fetch("00000002.history").status == 1)
    try FileManager.default.moveItem(
      atPath: setup.repository.wal, toPath: setup.repository.directory.file("moved"))
    let result = try setup.fetch("00000002.history")
    #expect(result.status == 200)
    #expect(
      result.standardError.hasPrefix(
        "pitr wal-fetch: error: 00000002.history: not found, but cannot read \(setup.repository.wal): "
          + "No such file or directory"))
  }

  @Test func helpExplainsTheRestoreCommandAndTheExitCodes() throws {
    let result = try pitr("wal-fetch", "--help")
    #expect(result.status == 0)
    let help = result.standardOutput.replacing("\n", with: " ").split(separator: " ").joined(
      separator: " ")
    for phrase in [
      "restore_command", "pitr wal-fetch --wal DIR --spool STATE/spool %f %p",
      "0 fetched; 1 not found (what PostgreSQL expects for a missing file",
      "200 found but damaged", "64 usage error", ".partial files are never served",
      "--system-identifier <n>", "<file-name>", "<destination>",
    ] {
      #expect(help.contains(phrase), "\(phrase)")
    }
  }
}
