import Archives
import Execution
import Foundation
import Testing
import _PITRTestSupport

/// Where `wal-fetch` finds files: flat and dated folders, plain and gzip'd, told by magic
/// bytes rather than suffix; history files; never `.partial`; a quiet "not found".
@Suite struct WALFetchLocationTests {
  static let name = "000000010000000000000005"

  @Test(arguments: [false, true])
  func plainSegmentInAFlatArchive(spool: Bool) throws {
    let fixture = try WALFetchFixture()
    defer { fixture.remove() }
    let path = try fixture.repository.writeSegment(Self.name)
    #expect(try fixture.fetch(Self.name, spool: spool) == .fetched(source: path))
    #expect(fixture.delivered() == RepositoryFixture.segmentBytes(Self.name))
    #expect(fixture.pgWALFiles() == ["RECOVERYXLOG"])
  }

  @Test(arguments: [false, true])
  func gzipSegmentInADatedFolder(spool: Bool) throws {
    let fixture = try WALFetchFixture()
    defer { fixture.remove() }
    try fixture.repository.writeSegment(
      "000000010000000000000004", folder: "2026-11-21", gzip: true)
    let path = try fixture.repository.writeSegment(Self.name, folder: "2026-11-22", gzip: true)
    #expect(try fixture.fetch(Self.name, spool: spool) == .fetched(source: path))
    #expect(fixture.delivered() == RepositoryFixture.segmentBytes(Self.name))
  }

  @Test(arguments: [CompressionKind.zstd, .lz4], [false, true])
  func zstdAndLZ4SegmentsAreDecompressed(kind: CompressionKind, spool: Bool) throws {
    let fixture = try WALFetchFixture()
    defer { fixture.remove() }
    let path = try fixture.repository.writeSegment(
      Self.name, folder: "2026-11-22", compression: kind)
    #expect(path.hasSuffix("/\(Self.name).\(kind.fileSuffix)"))
    #expect(try fixture.fetch(Self.name, spool: spool) == .fetched(source: path))
    #expect(fixture.delivered() == RepositoryFixture.segmentBytes(Self.name))
  }

  /// A `.lz4` file that decompresses to something else than the segment it is named after.
  @Test func lz4FileThatIsNotASegmentIsRefused() throws {
    let fixture = try WALFetchFixture()
    defer { fixture.remove() }
    let file = try fixture.put(
      try lz4([UInt8](repeating: 0x41, count: 100)), at: Self.name + ".lz4")
    let error = try #require(throws: WALFetchError.self) { try fixture.fetch(Self.name) }
    #expect(error.kind == .damaged)
    #expect(
      error.description
        == "\(file): does not start with a WAL segment's long page header (too short, or not WAL)")
    #expect(fixture.pgWALFiles().isEmpty)
  }

  @Test func compressionIsToldByMagicBytesNotBySuffix() throws {
    let fixture = try WALFetchFixture()
    defer { fixture.remove() }
    let plainNamedGz = "000000010000000000000006"
    try fixture.repository.writeSegment(
      plainNamedGz, folder: "a", fileName: plainNamedGz + ".gz",
      bytes: RepositoryFixture.segmentBytes(plainNamedGz))
    try fixture.put(try gzip(RepositoryFixture.segmentBytes(Self.name)), at: "b/\(Self.name)")
    #expect(
      try fixture.fetch(plainNamedGz) == .fetched(source: "\(fixture.archive)/a/\(plainNamedGz).gz")
    )
    #expect(fixture.delivered() == RepositoryFixture.segmentBytes(plainNamedGz))
    #expect(try fixture.fetch(Self.name) == .fetched(source: "\(fixture.archive)/b/\(Self.name)"))
    #expect(fixture.delivered() == RepositoryFixture.segmentBytes(Self.name))
  }

  @Test(arguments: [
    ("bz2", [UInt8]([0x42, 0x5A, 0x68, 0x39]), "bzip2"),
    ("", [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00], "xz"),
  ])
  func otherCompressionsAreRefusedClearly(suffix: String, magic: [UInt8], format: String) throws {
    let fixture = try WALFetchFixture()
    defer { fixture.remove() }
    let file = try fixture.put(
      magic + [UInt8](repeating: 1, count: 100),
      at: Self.name + (suffix.isEmpty ? "" : "." + suffix))
    let error = try #require(throws: WALFetchError.self) { try fixture.fetch(Self.name) }
    #expect(error.kind == .unsupportedCompression)
    #expect(
      error.description
        == "\(file): compressed with \(format), which pitr cannot decompress; "
        + "archive WAL with gzip, zstd or lz4, or decompress the file"
    )
    #expect(fixture.pgWALFiles().isEmpty)
  }

  @Test func historyFilesAreCopiedAsTheyAre() throws {
    let fixture = try WALFetchFixture()
    defer { fixture.remove() }
    let text = Array("1\t0/5000060\tat restore point \"before\"\n".utf8)
    try fixture.put(text, at: "00000002.history")
    try fixture.put(
      try gzip(Array("2\t0/6000000\tno recovery target specified\n".utf8)),
      at: "2026-11-22/00000003.history.gz")
    #expect(
      try fixture.fetch("00000002.history")
        == .fetched(source: "\(fixture.archive)/00000002.history"))
    #expect(fixture.delivered() == text)
    _ = try fixture.fetch("00000003.history", spool: false)
    #expect(fixture.delivered() == Array("2\t0/6000000\tno recovery target specified\n".utf8))
  }

  @Test func partialFilesAreNeverServed() throws {
    let fixture = try WALFetchFixture()
    defer { fixture.remove() }
    let bytes = RepositoryFixture.segmentBytes(Self.name)
    try fixture.put(bytes, at: "\(Self.name).partial")
    try fixture.put(try gzip(bytes), at: "x/\(Self.name).gz.partial")
    try fixture.put(try gzip(bytes), at: "y/\(Self.name).partial.gz")
    for spool in [false, true] {
      #expect(
        try fixture.fetch(Self.name, spool: spool)
          == .notFound(reason: "\(Self.name): not in \(fixture.archive)"))
    }
    #expect(
      try fixture.fetch("\(Self.name).partial")
        == .notFound(reason: "\(Self.name).partial: a .partial file, which recovery must not read"))
    #expect(fixture.pgWALFiles().isEmpty)
  }

  @Test func aMissingFileIsNotFoundWithoutAnyFileWritten() throws {
    let fixture = try WALFetchFixture()
    defer { fixture.remove() }
    try fixture.repository.writeSegment(Self.name)
    let warnings = WarningLog()
    for name in ["00000002.history", "000000010000000000000006", "RECOVERYHISTORY"] {
      let outcome = try fixture.fetcher(warnings: warnings).fetch(name, to: fixture.destination)
      guard case .notFound(let reason) = outcome else {
        Issue.record("\(name) was found: \(outcome)")
        continue
      }
      #expect(reason.hasPrefix("\(name): "))
      #expect(!reason.contains("\n"))
    }
    #expect(warnings.lines.isEmpty)
    #expect(fixture.pgWALFiles().isEmpty)
  }

  @Test func aNameWithAFolderIsRefused() throws {
    let fixture = try WALFetchFixture()
    defer { fixture.remove() }
    let error = try #require(throws: WALFetchError.self) { try fixture.fetch("../\(Self.name)") }
    #expect(error.kind == .invalidRequest)
  }

  @Test func foldersAreSearchedInOrderAndADamagedCopyGivesWayToAGoodOne() throws {
    let fixture = try WALFetchFixture()
    defer { fixture.remove() }
    let other = fixture.repository.directory.file("second")
    let good = try fixture.repository.write(
      try gzip(RepositoryFixture.segmentBytes(Self.name)), to: "\(other)/\(Self.name).gz")
    let bad = try fixture.put(
      Array(RepositoryFixture.segmentBytes(Self.name).prefix(5000)), at: Self.name)
    for spool in [nil, fixture.spool] {
      let warnings = WarningLog()
      let fetcher = WALFetcher(
        archiveFolders: [fixture.archive, other], spoolFolder: spool, warn: { warnings.append($0) })
      #expect(try fetcher.fetch(Self.name, to: fixture.destination) == .fetched(source: good))
      #expect(
        warnings.lines == [
          "skipped \(bad): holds 5000 bytes, but a segment is 1048576 bytes: it is truncated"
        ])
    }
  }

  /// An archive folder that cannot be read makes "not found" a guess: refused (exit 200 in
  /// the command) unless another folder has the file, which is then served with a warning.
  @Test func anUnreadableArchiveFolderIsFatalUnlessAnotherFolderHasTheFile() throws {
    let fixture = try WALFetchFixture()
    defer { fixture.remove() }
    let archived = try fixture.repository.writeSegment(Self.name)
    let gone = fixture.repository.directory.file("gone")
    for spool in [nil, fixture.spool] {
      let warnings = WarningLog()
      let fetcher = WALFetcher(
        archiveFolders: [gone, fixture.archive], spoolFolder: spool, warn: { warnings.append($0) })
      #expect(try fetcher.fetch(Self.name, to: fixture.destination) == .fetched(source: archived))
      #expect(warnings.lines == ["cannot read \(gone): No such file or directory"])
      let error = #expect(throws: WALFetchError.self) {
        try fetcher.fetch("00000002.history", to: fixture.destination)
      }
      #expect(error?.kind == .io)
      #expect(
        error?.description
          == "00000002.history: not found, but cannot read \(gone): No such file or directory, so "
          + "whether it is archived there is unknown; recovery stops here rather than take it for "
          + "the end of the archive: make it readable (the folder, host or endpoint) and run pitr apply "
          + "again (it resumes)")
    }
  }

  /// `--needs`: a segment the plan saw archived and now gone stops recovery; one after the
  /// runs, a history file, or a segment of another timeline is only "not found".
  @Test func aNeededSegmentGoneIsFatalAndOthersAreNotFound() throws {
    let fixture = try WALFetchFixture()
    defer { fixture.remove() }
    let runs = ["000000010000000000000003-000000010000000000000006"].compactMap(WALFetcher.neededRun)
    let fetcher = WALFetcher(archiveFolders: [fixture.archive], neededRuns: runs)
    let error = #expect(throws: WALFetchError.self) {
      try fetcher.fetch(Self.name, to: fixture.destination)
    }
    #expect(
      error?.description
        == "\(Self.name): not in \(fixture.archive), but it was archived when the plan was compiled; "
        + "recovery stops here rather than end without it: put it back (from another copy of the "
        + "archive) and run pitr apply again (it resumes)")
    for name in ["000000010000000000000007", "000000020000000000000005", "00000002.history"] {
      guard case .notFound = try fetcher.fetch(name, to: fixture.destination) else {
        Issue.record("\(name) was found")
        continue
      }
    }
  }

  @Test func neededRunsAreTwoSegmentsOfOneTimelineInOrder() {
    #expect(
      WALFetcher.neededRun("000000010000000000000003-000000010000000000000006")
        == "000000010000000000000003"..."000000010000000000000006")
    for text in [
      "000000010000000000000006-000000010000000000000003", "000000010000000000000003-000000020000000000000006",
      "000000010000000000000003", "00000002.history-00000003.history", "",
    ] {
      #expect(WALFetcher.neededRun(text) == nil, "\(text)")
    }
  }
}
