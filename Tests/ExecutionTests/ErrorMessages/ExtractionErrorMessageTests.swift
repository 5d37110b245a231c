import Archives
import Execution
import Foundation
import Testing
import _PITRTestSupport

extension ErrorMessages {
  /// What extraction says about entries that would go through a link or a file, a
  /// tablespace location the backup has no tablespace for, and destinations it cannot use.
  @Suite struct ExtractionErrorMessageTests {
    @Test func anEntryBelowAnExtractedTablespaceLinkIsRefused() throws {
      // base.tar holds the link pg_tblspc/16384 (made, pointing at the new location), then a
      // file below it.
      var fixture = Self.withTablespace()
      fixture.extraEntries = [
        (.symlink("pg_tblspc/16384", to: "/srv/old-ts"), []),
        (.file("pg_tblspc/16384/evil"), [1]),
      ]
      let directory = try TemporaryDirectory("extract-through-link")
      defer { directory.remove() }
      let backup = try fixture.write(.tar, into: directory.file("backup"))
      let location = directory.file("new-ts")

      let error = try #require(throws: ExtractionError.self) {
        try BackupExtractor(
          backupFolder: backup, format: .tar, dataDirectory: directory.file("data"),
          tablespaces: [16384: location], syncToDisk: false
        ).extract { _ in }
      }

      #expect(error.kind == .unsafeEntry)
      #expect(
        error.description
          == "base.tar: entry 'pg_tblspc/16384/evil' would be written through the symbolic link "
          + "'pg_tblspc/16384'; refused")
      #expect(!FileManager.default.fileExists(atPath: "\(location)/evil"))
    }

    @Test func anEntryBelowAFileIsRefused() throws {
      var fixture = BackupFixture.standard()
      fixture.extraEntries = [(.file("PG_VERSION/inside"), [1])]

      let (error, directory) = try fixture.extractionResult(.tar)
      defer { directory.remove() }

      #expect(error?.kind == .unsafeEntry)
      #expect(
        error?.description
          == "base.tar: entry 'PG_VERSION/inside' needs 'PG_VERSION' to be a directory, which it is "
          + "not; refused")
      #expect(FileInspection.contents(directory.file("data/PG_VERSION")) == Array("15\n".utf8))
    }

    @Test func aLocationForATablespaceTheBackupDoesNotHaveIsRefused() throws {
      let directory = try TemporaryDirectory("extract-unknown-ts")
      defer { directory.remove() }
      let backup = try BackupFixture.standard().write(.tar, into: directory.file("backup"))

      let error = try #require(throws: ExtractionError.self) {
        try BackupExtractor(
          backupFolder: backup, format: .tar, dataDirectory: directory.file("data"),
          tablespaces: [16999: directory.file("ts")], syncToDisk: false
        ).extract { _ in }
      }

      #expect(error.kind == .tablespace)
      #expect(
        error.description == "a new location is given for tablespace 16999, which the backup does not have")
      #expect(!FileManager.default.fileExists(atPath: directory.file("data")))
    }

    @Test func aDataDirectoryPathThatIsAFileIsRefused() throws {
      let directory = try TemporaryDirectory("extract-file-root")
      defer { directory.remove() }
      let backup = try BackupFixture.standard().write(.tar, into: directory.file("backup"))
      let data = try directory.write("a file\n", to: "data")

      let error = try #require(throws: ExtractionError.self) {
        try BackupExtractor(
          backupFolder: backup, format: .tar, dataDirectory: data, syncToDisk: false
        ).extract { _ in }
      }

      #expect(error.kind == .destination)
      #expect(error.description == "the data directory \(data) exists and is not a directory")
    }

    @Test func aTablespaceLocationThatIsAFileIsRefused() throws {
      let directory = try TemporaryDirectory("extract-file-ts")
      defer { directory.remove() }
      let backup = try Self.withTablespace().write(.tar, into: directory.file("backup"))
      let location = try directory.write("a file\n", to: "ts")

      let error = try #require(throws: ExtractionError.self) {
        try BackupExtractor(
          backupFolder: backup, format: .tar, dataDirectory: directory.file("data"),
          tablespaces: [16384: location], syncToDisk: false
        ).extract { _ in }
      }

      #expect(error.description == "the location of tablespace 16384 \(location) exists and is not a directory")
    }

    @Test func aParentThatCannotBeCreatedIsNamed() throws {
      // The data directory's parent is a dangling symbolic link: the data directory is absent,
      // and its parent cannot be made.
      let directory = try TemporaryDirectory("extract-parent")
      defer { directory.remove() }
      let backup = try BackupFixture.standard().write(.tar, into: directory.file("backup"))
      let parent = directory.file("dangling")
      try FileManager.default.createSymbolicLink(
        atPath: parent, withDestinationPath: directory.file("nowhere/deeper"))

      let error = try #require(throws: ExtractionError.self) {
        try BackupExtractor(
          backupFolder: backup, format: .tar, dataDirectory: "\(parent)/data", syncToDisk: false
        ).extract { _ in }
      }

      #expect(error.kind == .destination)
      // What follows the path is Foundation's description of its error (today a whole
      // NSError dump: "Error Domain=NSCocoaErrorDomain Code=516 …"), not pitr's text.
      #expect(error.description.hasPrefix("cannot create \(parent): "), "\(error)")
      #expect(error.description == "cannot create \(parent): \(String(cString: strerror(EEXIST)))", "\(error)")
    }

    /// The standard backup with tablespace 16384 (one relation, in `16384.tar`).
    static func withTablespace() -> BackupFixture {
      var fixture = BackupFixture.standard()
      fixture.tablespaces = [
        16384: .init(
          originalLocation: "/srv/old-ts",
          members: [.init(path: "PG_15_202209061/5/16385", data: Array(repeating: 0x42, count: 2000))])
      ]
      return fixture
    }
  }
}
