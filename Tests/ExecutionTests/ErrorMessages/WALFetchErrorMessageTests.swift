import Execution
import Foundation
import Testing
import _PITRTestSupport

#if canImport(Glibc)
  import Glibc
#endif

extension ErrorMessages {
  /// What `pitr wal-fetch` says about a request, a damaged header, a destination it cannot
  /// write and a spooled file it cannot move.
  @Suite struct WALFetchErrorMessageTests {
    static let name = "000000010000000000000005"

    // MARK: - Requests

    @Test(arguments: [".", ".."])
    func aDotNameIsNotAFileName(_ name: String) throws {
      let fixture = try WALFetchFixture()
      defer { fixture.remove() }

      let error = try #require(throws: WALFetchError.self) { try fixture.fetch(name) }

      #expect(error.kind == .invalidRequest)
      #expect(error.file == name)
      #expect(error.description == "\(name): not a file name")
      #expect(fixture.pgWALFiles().isEmpty)
    }

    @Test(arguments: ["backup_label", "\(name).gz"])
    func aNameThatIsNotAWALFileNameIsNotFound(_ name: String) throws {
      let fixture = try WALFetchFixture()
      defer { fixture.remove() }

      #expect(try fixture.fetch(name) == .notFound(reason: "\(name): not a WAL file name"))
      #expect(fixture.pgWALFiles().isEmpty)
    }

    @Test func withoutArchiveFoldersANameNotSpooledIsNotInTheSpool() throws {
      let fixture = try WALFetchFixture()
      defer { fixture.remove() }
      try FileManager.default.createDirectory(atPath: fixture.spool, withIntermediateDirectories: true)
      let fetcher = WALFetcher(archiveFolders: [], spoolFolder: fixture.spool)

      #expect(
        try fetcher.fetch(Self.name, to: fixture.destination)
          == .notFound(reason: "\(Self.name): not in the spool"))
    }

    // MARK: - Damaged candidates

    @Test func everyDamagedCandidateAfterTheFirstIsWarnedAbout() throws {
      let fixture = try WALFetchFixture()
      defer { fixture.remove() }
      let first = try fixture.put(Self.header(info: 0x0012), at: "2026-11-22/\(Self.name)")
      let second = try fixture.put(Self.header(segmentSize: 12345), at: "2026-11-23/\(Self.name)")
      let warnings = WarningLog()

      let error = try #require(throws: WALFetchError.self) {
        try fixture.fetcher(spool: false, warnings: warnings).fetch(Self.name, to: fixture.destination)
      }

      #expect(error.description == "\(first): invalid page flags 0x12")
      #expect(warnings.lines == ["also \(second): invalid segment size 12345 in the page header"])
      #expect(fixture.pgWALFiles().isEmpty)
    }

    @Test func invalidPageFlagsAreRefused() throws {
      #expect(try damage(Self.header(info: 0x00F2)) == "invalid page flags 0xF2")
    }

    @Test func anInvalidSegmentSizeIsRefused() throws {
      #expect(try damage(Self.header(segmentSize: 3 << 20)) == "invalid segment size 3145728 in the page header")
    }

    @Test func aNameBeyondTheHeadersSegmentSizeIsRefused() throws {
      // 1 GiB segments: four to a log, so segment 5 of log 0 does not exist.
      #expect(
        try damage(Self.header(segmentSize: 1 << 30))
          == "the name \(Self.name) does not fit 1 GiB segments")
    }

    // MARK: - Writing the destination

    @Test func aDestinationInAMissingFolderCannotBeCreated() throws {
      let fixture = try WALFetchFixture()
      defer { fixture.remove() }
      try fixture.repository.writeSegment(Self.name, gzip: true)
      let destination = fixture.repository.directory.file("missing/RECOVERYXLOG")

      let error = try #require(throws: WALFetchError.self) {
        try fixture.fetcher(spool: false).fetch(Self.name, to: destination)
      }

      #expect(error.kind == .io)
      #expect(error.file == destination)
      #expect(
        error.description
          == "\(destination): cannot create \(destination).pitr-tmp-\(getpid()): No such file or directory")
    }

    @Test func aDestinationThatIsADirectoryCannotBeRenamedOnto() throws {
      let fixture = try WALFetchFixture()
      defer { fixture.remove() }
      try fixture.repository.writeSegment(Self.name, gzip: true)
      try FileManager.default.createDirectory(atPath: fixture.destination, withIntermediateDirectories: true)

      let error = try #require(throws: WALFetchError.self) {
        try fixture.fetcher(spool: false).fetch(Self.name, to: fixture.destination)
      }

      #expect(error.kind == .io)
      #expect(error.file == fixture.destination)
      #expect(
        error.description
          == "\(fixture.destination): cannot rename \(fixture.destination).pitr-tmp-\(getpid()) onto it: "
          + "Is a directory")
      // The temporary file is gone again.
      #expect(fixture.pgWALFiles() == ["RECOVERYXLOG"])
    }

    @Test func aSpooledFileThatCannotBeMovedIsIgnoredWithAWarning() throws {
      let fixture = try WALFetchFixture()
      defer { fixture.remove() }
      let spooled = try fixture.repository.write(
        RepositoryFixture.segmentBytes(Self.name), to: "\(fixture.spool)/\(Self.name)")
      try FileManager.default.createDirectory(atPath: fixture.destination, withIntermediateDirectories: true)
      let warnings = WarningLog()
      let fetcher = WALFetcher(
        archiveFolders: [], spoolFolder: fixture.spool, warn: { warnings.append($0) })

      let outcome = try fetcher.fetch(Self.name, to: fixture.destination)

      #expect(
        warnings.lines == [
          "ignoring the spooled copy: \(spooled): cannot move it to \(fixture.destination): Is a directory"
        ])
      #expect(outcome == .notFound(reason: "\(Self.name): not in the spool"))
      #expect(FileManager.default.fileExists(atPath: spooled))
    }

    // MARK: - Helpers

    /// The segment's bytes with its long page header's flags or segment size changed.
    static func header(info: UInt16 = 0x0006, segmentSize: UInt32? = nil) -> [UInt8] {
      var bytes = RepositoryFixture.segmentBytes(name)
      func put<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        withUnsafeBytes(of: value.littleEndian) { raw in
          bytes.replaceSubrange(offset..<offset + raw.count, with: raw)
        }
      }
      put(info, at: 2)
      if let segmentSize { put(segmentSize, at: 32) }
      return bytes
    }

    /// Fetches `bytes`, archived as the segment, expecting a damaged file; returns the
    /// problem after "<file>: ".
    func damage(_ bytes: [UInt8]) throws -> String {
      let fixture = try WALFetchFixture()
      defer { fixture.remove() }
      let file = try fixture.put(bytes, at: Self.name)
      let error = try #require(throws: WALFetchError.self) { try fixture.fetch(Self.name) }
      #expect(error.kind == .damaged)
      #expect(error.file == file)
      #expect(error.description.hasPrefix("\(file): "))
      #expect(fixture.pgWALFiles().isEmpty)
      return String(error.description.dropFirst(file.count + 2))
    }
  }
}
