import Execution
import Foundation
import Testing
import _PITRTestSupport

extension ExtractionTests {
  /// Tablespaces go to their new locations, and the data directory points there.
  @Suite struct BackupExtractorTablespaceTests {
    static let relation = BackupFixture.Member(
      path: "PG_15_202209061/5/16385", data: Array(repeating: 0x42, count: 20000))

    @Test func aTarTablespaceMovesAndTablespaceMapIsRewritten() throws {
      let directory = try TemporaryDirectory("extract-ts-tar")
      defer { directory.remove() }
      let fixture = fixture(original: "/srv/old ts")
      let backup = try fixture.write(.tarGzip, into: directory.file("backup"))
      let location = directory.file("new ts\\with\nodd characters")
      let data = directory.file("data")

      let report = try BackupExtractor(
        backupFolder: backup, format: .tar, dataDirectory: data,
        tablespaces: [16384: location, 16390: directory.file("second")], syncToDisk: false
      ).extract { _ in }

      #expect(FileInspection.contents("\(location)/\(Self.relation.path)") == Self.relation.data)
      #expect(FileInspection.mode(location) == 0o700)
      let escaped = location.replacingOccurrences(of: "\\", with: "\\\\")
        .replacingOccurrences(of: "\n", with: "\\\n")
      let map = "16384 \(escaped)\n16390 \(directory.file("second"))\n"
      #expect(FileInspection.contents("\(data)/tablespace_map") == Array(map.utf8))
      #expect(FileInspection.mode("\(data)/tablespace_map") == 0o600)
      #expect(!FileInspection.exists("\(data)/tablespace_map.pitr-new"))
      #expect(FileInspection.tree("\(data)/pg_tblspc").isEmpty)
      #expect(report.verifiedFiles == fixture.members.count - 2 + 2)
    }

    @Test func aPlainTablespaceIsCopiedAndItsLinkRetargeted() throws {
      let directory = try TemporaryDirectory("extract-ts-plain")
      defer { directory.remove() }
      let original = directory.file("original-ts")
      let fixture = fixture(original: original)
      let backup = try fixture.write(.plain, into: directory.file("backup"))
      let location = directory.file("new-ts")
      let data = directory.file("data")

      _ = try BackupExtractor(
        backupFolder: backup, format: .plain, dataDirectory: data,
        tablespaces: [16384: location, 16390: directory.file("second")], syncToDisk: false
      ).extract { _ in }

      let link = try FileManager.default.destinationOfSymbolicLink(
        atPath: "\(data)/pg_tblspc/16384")
      #expect(link == location)
      #expect(
        FileInspection.contents("\(data)/pg_tblspc/16384/\(Self.relation.path)")
          == Self.relation.data
      )
      #expect(FileInspection.tree(location) == FileInspection.tree(original))
      #expect(FileInspection.contents("\(original)/\(Self.relation.path)") == Self.relation.data)
      #expect(!FileInspection.exists("\(data)/tablespace_map"))
    }

    @Test(arguments: BackupFixture.Layout.allCases)
    func aTablespaceWithoutNewLocationIsRefusedBeforeAnythingIsWritten(
      _ layout: BackupFixture.Layout
    ) throws {
      let directory = try TemporaryDirectory("extract-ts-unmapped")
      defer { directory.remove() }
      let backup = try fixture(original: directory.file("original-ts"))
        .write(layout, into: directory.file("backup"))

      let error = #expect(throws: ExtractionError.self) {
        try BackupExtractor(
          backupFolder: backup, format: layout.format, dataDirectory: directory.file("data"),
          tablespaces: [16384: directory.file("new-ts"), 17000: directory.file("unknown")],
          syncToDisk: false
        ).extract { _ in }
      }

      #expect(
        error?.description
          == "tablespace 16390 of the backup has no new location; give it one in the plan's "
          + "destination.tablespaces")
      #expect(!FileInspection.exists(directory.file("data")))
    }

    @Test func aTablespaceLocationThatIsNotEmptyIsRefused() throws {
      let directory = try TemporaryDirectory("extract-ts-busy")
      defer { directory.remove() }
      let backup = try fixture(original: "/srv/ts").write(.tar, into: directory.file("backup"))
      try directory.write("x", to: "busy/file")

      let error = #expect(throws: ExtractionError.self) {
        try BackupExtractor(
          backupFolder: backup, format: .tar, dataDirectory: directory.file("data"),
          tablespaces: [16384: directory.file("busy"), 16390: directory.file("second")],
          syncToDisk: false
        ).extract { _ in }
      }

      #expect(
        error?.description
          == "the location of tablespace 16384 \(directory.file("busy")) is not empty; pitr "
          + "extracts only into an absent or empty directory")
    }

    @Test func aTablespaceLinkInBaseTarIsRetargeted() throws {
      var fixture = fixture(original: "/srv/ts")
      fixture.extraEntries = [(.symlink("pg_tblspc/16384", to: "/srv/ts"), [])]
      let directory = try TemporaryDirectory("extract-ts-link")
      defer { directory.remove() }
      let backup = try fixture.write(.tar, into: directory.file("backup"))
      let data = directory.file("data")

      _ = try BackupExtractor(
        backupFolder: backup, format: .tar, dataDirectory: data,
        tablespaces: [16384: directory.file("new-ts"), 16390: directory.file("second")],
        syncToDisk: false
      ).extract { _ in }

      let link = try FileManager.default.destinationOfSymbolicLink(
        atPath: "\(data)/pg_tblspc/16384")
      #expect(link == directory.file("new-ts"))
    }

    @Test func twoTablespacesCannotShareALocation() throws {
      let directory = try TemporaryDirectory("extract-ts-shared")
      defer { directory.remove() }
      let backup = try fixture(original: "/srv/ts").write(.tar, into: directory.file("backup"))

      let error = #expect(throws: ExtractionError.self) {
        try BackupExtractor(
          backupFolder: backup, format: .tar, dataDirectory: directory.file("data"),
          tablespaces: [16384: directory.file("ts"), 16390: directory.file("ts/")],
          syncToDisk: false
        ).extract { _ in }
      }

      #expect(
        error?.description
          == "tablespace 16390 cannot share its new location \(directory.file("ts/")) with "
          + "tablespace 16384")
    }

    // MARK: - Helpers

    /// The standard backup with tablespace 16384 (one relation, originally at `original`) and
    /// the empty tablespace 16390.
    private func fixture(original: String) -> BackupFixture {
      var fixture = BackupFixture.standard()
      fixture.tablespaces[16384] = .init(originalLocation: original, members: [Self.relation])
      fixture.tablespaces[16390] = .init(
        originalLocation: original + "-2",
        members: [.init(path: "PG_15_202209061/5/PG_VERSION", data: [0x31])])
      return fixture
    }
  }
}
