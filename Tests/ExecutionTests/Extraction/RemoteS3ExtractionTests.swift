import Foundation
import S3
import Storage
import Testing
import _PITRTestSupport

@testable import Execution

extension ExtractionTests {
  /// Backups in a real moto_server extracted through `S3Store`, the next objects' first
  /// ranges fetched ahead (`FetchAhead`): the same bytes, every manifest check, in order.
  @Suite(.tags(.remoteRepository), .serialized, .enabled(if: MotoServer.isAvailable))
  struct RemoteS3ExtractionTests {
    /// `count` files of 1 to 64 KiB under `base/N/`, bytes varying with the seed.
    static func manyFiles(_ count: Int, seed: UInt64 = 7) -> [BackupFixture.Member] {
      var random = SeededRandom(seed: seed)
      return (0..<count).map { index in
        let size = 1024 + Int(random.next() % (63 * 1024))
        let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ index) }
        return BackupFixture.Member(path: "base/1/\(16384 + index)", data: bytes)
      }
    }

    /// The fixture in `bucket` of a new moto, and a store that has listed it.
    static func upload(
      _ fixture: BackupFixture, layout: BackupFixture.Layout, moto: MotoServer, into directory: TemporaryDirectory
    )
      throws -> (S3Store, String)
    {
      let folder = try fixture.write(layout, into: directory.file("backup"))
      try moto.upload([(folder, "base/backup")], bucket: "bkp")
      let store = S3Store(client: moto.client(bucket: "bkp"))
      _ = try store.list(under: "s3://bkp/base")
      return (store, "s3://bkp/base/backup")
    }

    @Test func aPlainBackupOfManyFilesAndALargeOneComesInOrderWithEveryCheck() throws {
      let moto = try MotoServer()
      defer { moto.stop() }
      let directory = try TemporaryDirectory("extract-s3")
      defer { directory.remove() }
      var fixture = BackupFixture.standard()
      // 40 small files, and one of 20 MiB: its first 8 MiB ahead, the rest streamed.
      fixture.members += Self.manyFiles(40)
      fixture.members.append(
        .init(path: "base/1/99999", data: (0..<(20 << 20)).map { UInt8(truncatingIfNeeded: $0 / 7) }))
      let (store, backup) = try Self.upload(fixture, layout: .plain, moto: moto, into: directory)
      let installation = SharedStores.install([store.root: store])
      defer { installation.remove() }
      let data = directory.file("data")

      let report = try BackupExtractor(backupFolder: backup, format: .plain, dataDirectory: data, syncToDisk: false)
        .extract { _ in }

      for member in fixture.baseMembers where member.path != "tablespace_map" {
        #expect(FileInspection.contents("\(data)/\(member.path)") == member.data, "\(member.path)")
      }
      let local = try BackupExtractor(
        backupFolder: directory.file("backup"), format: .plain, dataDirectory: directory.file("local"),
        syncToDisk: false
      ).extract { _ in }
      #expect(report == local)
    }

    /// A tar backup: base.tar, then pg_wal.tar fetched ahead while base.tar is extracted.
    @Test func aTarBackupsNextArchiveIsFetchedAheadAndExtractedAfterTheFirst() throws {
      let moto = try MotoServer()
      defer { moto.stop() }
      let directory = try TemporaryDirectory("extract-s3-tar")
      defer { directory.remove() }
      var fixture = BackupFixture.standard()
      fixture.members += Self.manyFiles(10)
      let (store, backup) = try Self.upload(fixture, layout: .tarGzip, moto: moto, into: directory)
      let installation = SharedStores.install([store.root: store])
      defer { installation.remove() }
      let data = directory.file("data")

      let report = try BackupExtractor(backupFolder: backup, format: .tar, dataDirectory: data, syncToDisk: false)
        .extract { _ in }

      for member in fixture.baseMembers {
        #expect(FileInspection.contents("\(data)/\(member.path)") == member.data, "\(member.path)")
      }
      let local = try BackupExtractor(
        backupFolder: directory.file("backup"), format: .tar, dataDirectory: directory.file("local"),
        syncToDisk: false
      ).extract { _ in }
      #expect(report == local)
    }

    /// The benchmark in docs/benchmarks.md: a plain backup of 400 files (1 to 64 KiB) in moto,
    /// extracted with `PITR_FETCH_AHEAD=0` (each file opened in turn, as before) and with the
    /// default, alternately, five rounds; prints the medians. Runs only with
    /// `PITR_BENCH_FETCH_AHEAD=1` in the environment.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["PITR_BENCH_FETCH_AHEAD"] == "1"))
    func benchmarkFetchingAhead() throws {
      let moto = try MotoServer()
      defer { moto.stop() }
      let directory = try TemporaryDirectory("bench-s3-ahead")
      defer { directory.remove() }
      var fixture = BackupFixture.standard()
      fixture.members += Self.manyFiles(400)
      let (store, backup) = try Self.upload(fixture, layout: .plain, moto: moto, into: directory)
      let installation = SharedStores.install([store.root: store])
      defer {
        installation.remove()
        unsetenv(FetchAhead.depthVariable)
      }
      var times: [String: [Double]] = [:]
      for round in 0..<5 {
        for depth in ["0", "4"] {
          setenv(FetchAhead.depthVariable, depth, 1)
          let data = directory.file("data-\(round)-\(depth)")
          let start = Date()
          _ = try BackupExtractor(backupFolder: backup, format: .plain, dataDirectory: data, syncToDisk: false)
            .extract { _ in }
          times[depth, default: []].append(Date().timeIntervalSince(start) * 1000)
          try FileManager.default.removeItem(atPath: data)
        }
      }
      let median = { (values: [Double]) in values.sorted()[values.count / 2] }
      print(
        "fetch-ahead benchmark, \(fixture.members.count) files: depth 0 \(times["0"]!.map { Int($0) }) ms, "
          + "median \(Int(median(times["0"]!))) ms; depth 4 \(times["4"]!.map { Int($0) }) ms, "
          + "median \(Int(median(times["4"]!))) ms")
      #expect(median(times["4"]!) < median(times["0"]!))
    }
  }
}
