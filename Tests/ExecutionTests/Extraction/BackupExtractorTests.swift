import Catalog
import Execution
import Foundation
import Testing
import _PITRTestSupport

#if canImport(Glibc)
  import Glibc
#endif

extension ExtractionTests {
  @Suite struct BackupExtractorTests {
    @Test(arguments: BackupFixture.Layout.allCases)
    func roundTrip(_ layout: BackupFixture.Layout) throws {
      let directory = try TemporaryDirectory("extract")
      defer { directory.remove() }
      let fixture = BackupFixture.standard()
      let backup = try fixture.write(layout, into: directory.file("backup"))
      let data = directory.file("data")

      let report = try BackupExtractor(
        backupFolder: backup, format: layout.format, dataDirectory: data
      ).extract { _ in }

      let expected = fixture.baseMembers.filter { layout != .plain || $0.path != "tablespace_map" }
      for member in expected {
        #expect(FileInspection.contents("\(data)/\(member.path)") == member.data, "\(member.path)")
        #expect(FileInspection.mode("\(data)/\(member.path)") == member.mode, "\(member.path)")
      }
      let segment = fixture.walSegments[0]
      #expect(FileInspection.contents("\(data)/pg_wal/\(segment.path)") == segment.data)
      #expect(FileInspection.mode(data) == 0o700)
      #expect(!FileInspection.exists("\(data)/backup_manifest"))
      #expect(report.walSegments == [segment.path])
      #expect(report.files == expected.count + 1)
      // postgresql.auto.conf and pg_wal/ are not verified, as pg_verifybackup ignores them.
      #expect(report.verifiedFiles == expected.count - 2)
      #expect(report.bytes == Int64((expected + [segment]).reduce(0) { $0 + $1.data.count }))
    }

    @Test func aFileLargerThanTheWriteBackStrideIsWrittenWholeThenFlushed() throws {
      let directory = try TemporaryDirectory("extract-large")
      defer { directory.remove() }
      var fixture = BackupFixture.standard()
      // Over 9 MiB: several of the extractor's 1 MiB buffers, each written 64 KiB at a time,
      // the last piece short, and past the 8 MiB after which the file's write-back is started
      // while it is still being written.
      var large = [UInt8](repeating: 0, count: 9 * 1024 * 1024 + 12345)
      var random = SeededRandom(seed: 7)
      large.withUnsafeMutableBytes { raw in
        for offset in stride(from: 0, to: raw.count - 8, by: 8) {
          raw.storeBytes(of: random.next(), toByteOffset: offset, as: UInt64.self)
        }
      }
      fixture.members.append(BackupFixture.Member(path: "base/1/16400", data: large))
      let backup = try fixture.write(.tarGzip, into: directory.file("backup"))

      let synced = try BackupExtractor(
        backupFolder: backup, format: .tar, dataDirectory: directory.file("synced")
      ).extract { _ in }
      let unsynced = try BackupExtractor(
        backupFolder: backup, format: .tar, dataDirectory: directory.file("unsynced"), syncToDisk: false
      ).extract { _ in }

      #expect(FileInspection.contents(directory.file("synced/base/1/16400")) == large)
      #expect(FileInspection.contents(directory.file("unsynced/base/1/16400")) == large)
      #expect(synced.verifiedFiles == unsynced.verifiedFiles)
      #expect(synced.flushSeconds > 0)
      #expect(unsynced.flushSeconds == 0)
    }

    @Test(arguments: ["SHA224", "SHA256", "SHA384", "SHA512", nil] as [String?])
    func everyChecksumAlgorithmIsVerified(_ algorithm: String?) throws {
      let directory = try TemporaryDirectory("extract-algorithms")
      defer { directory.remove() }
      var fixture = BackupFixture.standard()
      fixture.algorithm = algorithm
      let backup = try fixture.write(.tarGzip, into: directory.file("backup"))

      let report = try BackupExtractor(
        backupFolder: backup, format: .tar, dataDirectory: directory.file("data"), syncToDisk: false
      ).extract { _ in }

      #expect(report.verifiedFiles == fixture.members.count - 2)
    }

    @Test func aPlainBackupsLinkedPgWalBecomesADirectory() throws {
      let directory = try TemporaryDirectory("extract-waldir")
      defer { directory.remove() }
      let fixture = BackupFixture.standard()
      let backup = try fixture.write(.plain, into: directory.file("backup"))
      try FileManager.default.moveItem(
        atPath: "\(backup)/pg_wal", toPath: directory.file("waldir"))
      try FileManager.default.createSymbolicLink(
        atPath: "\(backup)/pg_wal", withDestinationPath: directory.file("waldir"))
      let data = directory.file("data")

      let report = try BackupExtractor(
        backupFolder: backup, format: .plain, dataDirectory: data, syncToDisk: false
      ).extract { _ in }

      #expect(report.walSegments == [fixture.walSegments[0].path])
      let attributes = try FileManager.default.attributesOfItem(atPath: "\(data)/pg_wal")
      #expect(attributes[.type] as? FileAttributeType == .typeDirectory)
    }

    @Test func aTruncatedArchiveIsAnArchiveError() throws {
      let directory = try TemporaryDirectory("extract-truncated")
      defer { directory.remove() }
      let backup = try BackupFixture.standard().write(.tarGzip, into: directory.file("backup"))
      let archive = "\(backup)/base.tar.gz"
      let bytes = try #require(FileInspection.contents(archive))
      try Data(bytes.prefix(bytes.count / 2)).write(to: URL(fileURLWithPath: archive))

      let error = #expect(throws: ExtractionError.self) {
        try BackupExtractor(
          backupFolder: backup, format: .tar, dataDirectory: directory.file("data"),
          syncToDisk: false
        ).extract { _ in }
      }

      #expect(error?.kind == .archive)
      #expect(error?.description.contains("gzip stream truncated") == true)
      #expect(error?.description.contains(archive) == true)
    }

    @Test func modesAreKeptAndTheDataDirectoryIs0700() throws {
      let directory = try TemporaryDirectory("extract-modes")
      defer { directory.remove() }
      var fixture = BackupFixture.standard()
      fixture.members.append(.init(path: "base/1/PG_VERSION", data: [0x31], mode: 0o644))
      fixture.directories.append("pg_stat_tmp")
      let backup = try fixture.write(.tar, into: directory.file("backup"))
      let data = directory.file("data")
      try FileManager.default.createDirectory(
        atPath: data, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o755])

      _ = try BackupExtractor(
        backupFolder: backup, format: .tar, dataDirectory: data, syncToDisk: false
      ).extract { _ in }

      #expect(FileInspection.mode(data) == 0o700)
      #expect(FileInspection.mode("\(data)/base/1/PG_VERSION") == 0o644)
      #expect(FileInspection.mode("\(data)/PG_VERSION") == 0o640)
      #expect(FileInspection.mode("\(data)/global/pg_control") == 0o600)
      #expect(FileInspection.mode("\(data)/pg_stat_tmp") == 0o700)
    }

    @Test(.enabled(if: getuid() == 0 && FileOwner(userName: "postgres") != nil))
    func everythingIsGivenToTheOwner() throws {
      let directory = try TemporaryDirectory("extract-owner")
      defer { directory.remove() }
      let owner = try #require(FileOwner(userName: "postgres"))
      for layout in [BackupFixture.Layout.tarGzip, .plain] {
        var fixture = BackupFixture.standard()
        fixture.tablespaces[16384] = .init(
          originalLocation: directory.file("\(layout)-original-ts"),
          members: [.init(path: "PG_15_202209061/5/16385", data: [1, 2, 3])])
        let backup = try fixture.write(layout, into: directory.file("\(layout)-backup"))
        let data = directory.file("\(layout)-data")
        let location = directory.file("\(layout)-ts")

        _ = try BackupExtractor(
          backupFolder: backup, format: layout.format, dataDirectory: data,
          tablespaces: [16384: location], owner: owner, syncToDisk: false
        ).extract { _ in }

        for root in [data, location] {
          for path in [root] + FileInspection.tree(root).map({ "\(root)/\($0)" }) {
            let found = FileInspection.owner(path)
            #expect(found?.uid == owner.uid && found?.gid == owner.gid, "\(layout): \(path)")
          }
        }
        #expect(FileInspection.tree(location).contains("PG_15_202209061/5/16385"))
      }
    }

    @Test func progressIsReportedWithTheExpectedTotal() throws {
      let directory = try TemporaryDirectory("extract-progress")
      defer { directory.remove() }
      var fixture = BackupFixture.standard()
      fixture.members.append(.init(path: "base/1/16400", data: Array(repeating: 9, count: 3 << 20)))
      let backup = try fixture.write(.tar, into: directory.file("backup"))
      var reports: [ExtractionProgress] = []

      let report = try BackupExtractor(
        backupFolder: backup, format: .tar, dataDirectory: directory.file("data"), syncToDisk: false
      ).extract { reports.append($0) }

      let last = try #require(reports.last)
      #expect(last.bytesWritten == report.bytes)
      #expect(last.totalBytes == report.bytes)
      #expect(reports.count <= 4)
      #expect(zip(reports, reports.dropFirst()).allSatisfy { $0.bytesWritten <= $1.bytesWritten })
    }

    @Test func aBackupWithoutManifestIsExtractedWhenVerificationIsOff() throws {
      let directory = try TemporaryDirectory("extract-no-manifest")
      defer { directory.remove() }
      let backup = try BackupFixture.standard().write(.tarGzip, into: directory.file("backup"))
      try FileManager.default.removeItem(atPath: "\(backup)/backup_manifest")

      let error = #expect(throws: ExtractionError.self) {
        try BackupExtractor(
          backupFolder: backup, format: .tar, dataDirectory: directory.file("checked"),
          syncToDisk: false
        ).extract { _ in }
      }
      let report = try BackupExtractor(
        backupFolder: backup, format: .tar, dataDirectory: directory.file("data"),
        verifyAgainstManifest: false, syncToDisk: false
      ).extract { _ in }

      #expect(error?.kind == .manifest)
      #expect(error?.description.contains("backup_manifest") == true)
      #expect(report.verifiedFiles == 0)
      #expect(report.files == 8)
    }

    @Test func aDataDirectoryThatIsNotEmptyIsRefused() throws {
      let directory = try TemporaryDirectory("extract-not-empty")
      defer { directory.remove() }
      let backup = try BackupFixture.standard().write(.tar, into: directory.file("backup"))
      try directory.write("keep me\n", to: "data/PG_VERSION")

      let error = #expect(throws: ExtractionError.self) {
        try BackupExtractor(
          backupFolder: backup, format: .tar, dataDirectory: directory.file("data"),
          syncToDisk: false
        ).extract { _ in }
      }

      #expect(error?.kind == .destination)
      #expect(
        error?.description
          == "the data directory \(directory.file("data")) is not empty; pitr extracts only into "
          + "an absent or empty directory")
      #expect(FileInspection.contents(directory.file("data/PG_VERSION")) == Array("keep me\n".utf8))
    }
  }
}
