import Catalog
import Execution
import Foundation
import Testing
import _PITRTestSupport

extension ExtractionTests {
  /// A real pg_basebackup, extracted natively, gives what GNU tar gives and passes
  /// pg_verifybackup.
  @Suite(.tags(.integration), .enabled(if: PostgresLab.isAvailable))
  struct BackupExtractorIntegrationTests {
    @Test func aServerGzipBackupExtractsLikeGNUTarAndPassesPgVerifybackup() throws {
      let lab = try PostgresLab(name: "extract", archive: .gzipFlat)
      defer { lab.remove() }
      try lab.sql(
        "CREATE TABLE t AS SELECT g AS id, md5(g::text) AS v FROM generate_series(1, 5000) g")
      let backup = try lab.baseBackup(
        into: "bb", format: .tar(compression: .serverGzip), label: "extract")
      let owner = try #require(FileOwner(userName: "postgres"))
      let native = lab.directory.file("native")
      let reference = lab.directory.file("reference")

      let report = try BackupExtractor(
        backupFolder: backup, format: .tar, dataDirectory: native, owner: owner
      ).extract { _ in }
      try FileManager.default.createDirectory(
        atPath: reference + "/pg_wal", withIntermediateDirectories: true)
      try run("/usr/bin/tar", ["-xzf", "\(backup)/base.tar.gz", "-C", reference])
      try run("/usr/bin/tar", ["-xf", "\(backup)/pg_wal.tar", "-C", "\(reference)/pg_wal"])

      let files = FileInspection.tree(native)
      #expect(files == FileInspection.tree(reference))
      for file in files {
        let path = "\(native)/\(file)"
        #expect(FileInspection.mode(path) == FileInspection.mode("\(reference)/\(file)"), "\(file)")
        #expect(FileInspection.owner(path)?.uid == owner.uid, "\(file)")
        #expect(
          FileManager.default.contentsEqual(atPath: path, andPath: "\(reference)/\(file)"),
          "\(file)")
      }
      #expect(report.walSegments.count == 1)
      // The catalog's expanded size (what the dry run says) is what extraction wrote: the
      // base archive and the WAL the backup carries, which its manifest does not list.
      let catalog = Catalog.scan(base: lab.backupsDirectory, wal: [lab.archiveDirectory], cache: .disabled)
      let catalogued = try #require(catalog.backups.first { $0.path == backup })
      #expect(catalogued.expandedSize == report.bytes)
      if case .verified(let manifest) = catalogued.manifest {
        #expect(manifest.totalSize < report.bytes)
      }
      #expect(report.verifiedFiles > 900)
      #expect(FileInspection.mode(native) == 0o700)
      try run(
        "\(PostgresLab.binaries)/pg_verifybackup",
        ["-m", "\(backup)/backup_manifest", "--no-parse-wal", native])
    }

    /// Runs a program and fails with its output when it fails.
    private func run(_ executable: String, _ arguments: [String]) throws {
      let result = try ProcessRunner.run(executable, arguments, timeout: 60)
      guard result.succeeded else {
        throw FixtureError(
          "\(executable) \(arguments.joined(separator: " ")) failed (\(result.status)): "
            + result.standardError + result.standardOutput)
      }
    }
  }
}
