import Archives
import Execution
import Foundation
import Testing
import _PITRTestSupport

extension ExtractionTests {
  /// Entries that would land outside the data directory, or through a link, are refused
  /// before anything is written for them.
  @Suite struct BackupExtractorSafetyTests {
    @Test func aParentComponentIsRefused() throws {
      let (error, directory) = try extract([(.file("../outside"), [1])])
      defer { directory.remove() }

      #expect(error?.kind == .unsafeEntry)
      #expect(
        error?.description
          == "base.tar: entry '../outside' would be written outside the data directory; refused")
      #expect(!FileInspection.exists(directory.file("outside")))
    }

    @Test func anAbsolutePathIsRefused() throws {
      let target = "/tmp/pitr-absolute-\(UUID().uuidString.prefix(8))"
      let (error, directory) = try extract([(.file(target), [1])])
      defer { directory.remove() }

      #expect(
        error?.description
          == "base.tar: entry '\(target)' would be written outside the data directory; refused")
      #expect(!FileInspection.exists(target))
    }

    @Test(arguments: ["/etc", "../../..", "base/../../../x"])
    func aSymbolicLinkPointingOutsideIsRefused(_ target: String) throws {
      let (error, directory) = try extract([
        (.symlink("base/evil", to: target), []), (.file("base/evil/passwd"), [1]),
      ])
      defer { directory.remove() }

      #expect(
        error?.description
          == "base.tar: symbolic link 'base/evil' -> '\(target)' points outside the data "
          + "directory; refused")
      #expect(!FileInspection.exists(directory.file("data/base/evil")))
    }

    @Test func aPlainBackupsSymbolicLinkOutsideIsRefused() throws {
      let directory = try TemporaryDirectory("extract-plain-link")
      defer { directory.remove() }
      let backup = try BackupFixture.standard().write(.plain, into: directory.file("backup"))
      try FileManager.default.createSymbolicLink(
        atPath: "\(backup)/base/evil", withDestinationPath: "/etc")

      let error = #expect(throws: ExtractionError.self) {
        try BackupExtractor(
          backupFolder: backup, format: .plain, dataDirectory: directory.file("data"),
          syncToDisk: false
        ).extract { _ in }
      }

      #expect(
        error?.description
          == "\(backup): symbolic link 'base/evil' -> '/etc' points outside the data directory; "
          + "refused")
      #expect(!FileInspection.exists(directory.file("data/base/evil")))
    }

    @Test func aSymbolicLinkInsideIsRefusedOutsidePgTblspc() throws {
      let (error, directory) = try extract([(.symlink("version", to: "PG_VERSION"), [])])
      defer { directory.remove() }

      #expect(
        error?.description
          == "base.tar: symbolic link 'version' -> 'PG_VERSION': only pg_tblspc/<oid> may be a "
          + "symbolic link in a data directory; refused")
    }

    @Test func aHardLinkToAnEarlierFileIsMadeAndVerified() throws {
      var fixture = BackupFixture.standard()
      fixture.extraEntries = [(.hardLink("base/1/1259_copy", to: "base/1/1259"), [])]
      fixture.onlyInManifest = [.init(path: "base/1/1259_copy", data: BackupFixture.relation)]

      let (error, directory) = try fixture.extractionResult(.tar)
      defer { directory.remove() }

      #expect(error == nil)
      #expect(
        FileInspection.contents(directory.file("data/base/1/1259_copy")) == BackupFixture.relation)
    }

    @Test(arguments: ["../backup/backup_manifest", "base/1/2619", "base"])
    func aHardLinkToAnythingElseIsRefused(_ target: String) throws {
      let (error, directory) = try extract([(.hardLink("base/1/link", to: target), [])])
      defer { directory.remove() }

      #expect(error?.kind == .unsafeEntry)
      #expect(
        error?.description.hasPrefix("base.tar: hard link 'base/1/link' -> '\(target)'") == true)
      #expect(!FileInspection.exists(directory.file("data/base/1/link")))
    }

    @Test func anEntryAppearingTwiceIsRefused() throws {
      let (error, directory) = try extract([(.file("PG_VERSION"), Array("16\n".utf8))])
      defer { directory.remove() }

      #expect(
        error?.description
          == "base.tar: entry 'PG_VERSION' would overwrite a file extracted before it (the path "
          + "appears twice); refused")
      #expect(FileInspection.contents(directory.file("data/PG_VERSION")) == Array("15\n".utf8))
    }

    @Test func aDeviceIsRefused() throws {
      let (error, directory) = try extract([(.fixture("console", .other(typeFlag: 0x33)), [])])
      defer { directory.remove() }

      #expect(
        error?.description
          == "base.tar: entry 'console' is a character device, not a regular file, directory or "
          + "link; refused")
    }

    // MARK: - Helpers

    /// Extracts the standard backup with `entries` appended to its base.tar.
    private func extract(
      _ entries: [(TarEntry, [UInt8])]
    ) throws -> (ExtractionError?, TemporaryDirectory) {
      var fixture = BackupFixture.standard()
      fixture.extraEntries = entries
      return try fixture.extractionResult(.tar)
    }
  }
}
