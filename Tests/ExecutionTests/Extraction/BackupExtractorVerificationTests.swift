import Execution
import Foundation
import Testing
import _PITRTestSupport

extension ExtractionTests {
  /// Files that differ from backup_manifest, are missing, or are not in it stop the extraction.
  @Suite struct BackupExtractorVerificationTests {
    @Test(arguments: BackupFixture.Layout.allCases)
    func aChecksumMismatchNamesTheFile(_ layout: BackupFixture.Layout) throws {
      var fixture = BackupFixture.standard()
      var other = Array(repeating: UInt8(0x5A), count: 8192)
      other[100] = 0
      fixture.manifestView["global/pg_control"] = other

      let (error, directory) = try fixture.extractionResult(layout)
      defer { directory.remove() }

      let expected = BackupFixture.checksum(other, "CRC32C")
      let computed = BackupFixture.checksum(Array(repeating: 0x5A, count: 8192), "CRC32C")
      #expect(error?.kind == .damaged)
      #expect(error?.path == "global/pg_control")
      #expect(
        error?.description
          == "\(source(layout, directory)): global/pg_control does not match backup_manifest "
          + "(checksum CRC32C: expected \(expected), computed \(computed)); the backup is damaged, "
          + "nothing was started")
    }

    @Test func aSHA256MismatchNamesTheAlgorithm() throws {
      var fixture = BackupFixture.standard()
      fixture.algorithm = "SHA256"
      fixture.manifestView["backup_label"] = Array("START WAL LOCATION: 0/3000028\n".utf8)

      let (error, directory) = try fixture.extractionResult(.tarGzip)
      defer { directory.remove() }

      #expect(error?.path == "backup_label")
      #expect(
        error?.description.hasPrefix(
          "base.tar.gz: backup_label does not match backup_manifest (checksum SHA256: expected ")
          == true)
    }

    @Test(arguments: BackupFixture.Layout.allCases)
    func aSizeMismatchNamesTheFile(_ layout: BackupFixture.Layout) throws {
      var fixture = BackupFixture.standard()
      fixture.manifestView["base/1/1259"] = BackupFixture.relation + [0]

      let (error, directory) = try fixture.extractionResult(layout)
      defer { directory.remove() }

      #expect(
        error?.description
          == "\(source(layout, directory)): base/1/1259 does not match backup_manifest (size: "
          + "expected \(BackupFixture.relation.count + 1) bytes, found "
          + "\(BackupFixture.relation.count)); the backup is damaged, nothing was started")
      #expect(!FileInspection.exists(directory.file("data/base/1/1259")))
    }

    @Test(arguments: BackupFixture.Layout.allCases)
    func aFileMissingFromTheBackupIsAnError(_ layout: BackupFixture.Layout) throws {
      var fixture = BackupFixture.standard()
      fixture.onlyInManifest = [.init(path: "base/1/2619", data: [1, 2, 3])]

      let (error, directory) = try fixture.extractionResult(layout)
      defer { directory.remove() }

      #expect(error?.kind == .damaged)
      #expect(
        error?.description
          == "\(directory.file("backup")): backup_manifest lists a file the backup does not "
          + "contain: base/1/2619; the backup is damaged, nothing was started")
    }

    @Test(arguments: BackupFixture.Layout.allCases)
    func aFileNotInTheManifestIsAnError(_ layout: BackupFixture.Layout) throws {
      var fixture = BackupFixture.standard()
      fixture.leftOutOfManifest = ["base/1/1259"]

      let (error, directory) = try fixture.extractionResult(layout)
      defer { directory.remove() }

      #expect(
        error?.description
          == "\(source(layout, directory)): base/1/1259 is not in backup_manifest; the backup "
          + "does not match its manifest, nothing was started")
    }

    @Test func filesPgVerifybackupIgnoresAreNeitherCheckedNorRequired() throws {
      var fixture = BackupFixture.standard()
      fixture.leftOutOfManifest = ["pg_wal/archive_status/000000010000000000000001.done"]
      fixture.manifestView["postgresql.auto.conf"] = Array("primary_conninfo = 'x'\n".utf8)
      fixture.onlyInManifest = [
        .init(path: "standby.signal", data: []),
        .init(path: "pg_wal/000000010000000000000001", data: [1]),
      ]
      fixture.members.append(.init(path: "recovery.signal", data: []))
      fixture.leftOutOfManifest.insert("recovery.signal")

      let (error, directory) = try fixture.extractionResult(.tar)
      defer { directory.remove() }

      #expect(error == nil)
      #expect(
        FileInspection.contents(directory.file("data/postgresql.auto.conf"))
          == Array("# auto\n".utf8)
      )
    }

    // MARK: - Helpers

    /// What errors about one file start with: the archive, or the plain backup's folder.
    private func source(_ layout: BackupFixture.Layout, _ directory: TemporaryDirectory) -> String {
      layout == .plain ? directory.file("backup") : layout.baseArchive
    }
  }
}
