import Execution
import Foundation
import PostgresVocabulary
import Testing
import _PITRTestSupport

/// The spool: prefetched files come first, and `<spool>/index` says where the archived files
/// are, built on the first call, reused, and walked again once when a name is not in it.
@Suite struct WALFetchSpoolTests {
  static let name = "000000010000000000000005"

  var indexPath: (WALFetchFixture) -> String = { "\($0.spool)/index" }

  @Test func aSpooledSegmentIsMovedIntoPlaceBeforeTheArchiveIsLookedAt() throws {
    let fixture = try WALFetchFixture()
    defer { fixture.remove() }
    try fixture.repository.writeSegment(Self.name, gzip: true)
    let spooled = try fixture.repository.write(
      RepositoryFixture.segmentBytes(Self.name), to: "\(fixture.spool)/\(Self.name)")
    #expect(try fixture.fetch(Self.name) == .fetched(source: spooled))
    #expect(fixture.delivered() == RepositoryFixture.segmentBytes(Self.name))
    #expect(!FileManager.default.fileExists(atPath: spooled))
    #expect(!FileManager.default.fileExists(atPath: indexPath(fixture)))
  }

  @Test func aSpooledFileThatFailsTheCheckIsIgnored() throws {
    let fixture = try WALFetchFixture()
    defer { fixture.remove() }
    let archived = try fixture.repository.writeSegment(Self.name, folder: "2026-11-22", gzip: true)
    let spooled = try fixture.repository.write(
      RepositoryFixture.segmentBytes(Self.name, pageAddress: LSN(rawValue: 0)),
      to: "\(fixture.spool)/\(Self.name)")
    let warnings = WarningLog()
    let outcome = try fixture.fetcher(warnings: warnings).fetch(Self.name, to: fixture.destination)
    #expect(outcome == .fetched(source: archived))
    #expect(fixture.delivered() == RepositoryFixture.segmentBytes(Self.name))
    #expect(
      warnings.lines == [
        "ignoring the spooled copy: \(spooled): xlp_pageaddr is 0/0, but segment \(Self.name) "
          + "starts at 0/500000: the file holds another segment"
      ])
    // A short one is ignored too.
    try fixture.repository.write(
      Array(RepositoryFixture.segmentBytes(Self.name).prefix(8192)), to: spooled)
    #expect(try fixture.fetch(Self.name) == .fetched(source: archived))
  }

  @Test func gzipAndHistoryFilesInTheSpoolAreServedToo() throws {
    let fixture = try WALFetchFixture()
    defer { fixture.remove() }
    let segment = try fixture.repository.write(
      try gzip(RepositoryFixture.segmentBytes(Self.name)), to: "\(fixture.spool)/\(Self.name)")
    #expect(try fixture.fetch(Self.name) == .fetched(source: segment))
    #expect(fixture.delivered() == RepositoryFixture.segmentBytes(Self.name))
    #expect(!FileManager.default.fileExists(atPath: segment))
    let text = Array("1\t0/5000060\tno recovery target specified\n".utf8)
    let history = try fixture.repository.write(text, to: "\(fixture.spool)/00000002.history")
    #expect(try fixture.fetch("00000002.history") == .fetched(source: history))
    #expect(fixture.delivered() == text)
  }

  @Test func theFirstCallWritesTheIndex() throws {
    let fixture = try WALFetchFixture()
    defer { fixture.remove() }
    let archive = fixture.archive
    try fixture.repository.writeSegment(
      "000000010000000000000004", folder: "2026-11-21", gzip: true)
    try fixture.repository.writeSegment(Self.name, folder: "2026-11-22")
    try fixture.put([1], at: "2026-11-22/\(Self.name).partial")
    try fixture.put([1], at: "2026-11-22/00000002.history.gz")
    try fixture.put([1], at: "2026-11-22/000000010000000000000004.00000028.backup")
    try fixture.put([1], at: "README")
    #expect(!FileManager.default.fileExists(atPath: fixture.spool))
    _ = try fixture.fetch(Self.name)
    let index = try String(contentsOfFile: indexPath(fixture), encoding: .utf8)
    let lines = index.split(separator: "\n", omittingEmptySubsequences: false)
    let header = lines[0].split(separator: "\t").map(String.init)
    #expect(header.count == 3 && header[0] == "pitr-wal-index 1" && header[2] == archive)
    let folders = lines.filter { $0.hasPrefix("+") }.map { String($0.split(separator: "\t")[1]) }
    #expect(folders.first == archive)
    #expect(Set(folders) == [archive, "\(archive)/2026-11-21", "\(archive)/2026-11-22"])
    #expect(lines.prefix(4).dropFirst().allSatisfy { $0.hasPrefix("+") })
    #expect(
      lines.dropFirst(4).joined(separator: "\n") == """
        000000010000000000000004\t\(archive)/2026-11-21/000000010000000000000004.gz
        000000010000000000000004.00000028.backup\t\(archive)/2026-11-22/\
        000000010000000000000004.00000028.backup
        000000010000000000000005\t\(archive)/2026-11-22/000000010000000000000005
        00000002.history\t\(archive)/2026-11-22/00000002.history.gz

        """)
  }

  @Test func laterCallsReadTheIndexInsteadOfWalking() throws {
    let fixture = try WALFetchFixture()
    defer { fixture.remove() }
    try fixture.repository.writeSegment(Self.name, folder: "2026-11-22", gzip: true)
    _ = try fixture.fetch(Self.name)
    // Point the index at a copy outside the archive: only a fetch that reads the index
    // finds it there.
    let elsewhere = try fixture.repository.write(
      RepositoryFixture.segmentBytes(Self.name),
      to: fixture.repository.directory.file("elsewhere/copy"))
    let index = try String(contentsOfFile: indexPath(fixture), encoding: .utf8)
    let edited = index.replacing("\(fixture.archive)/2026-11-22/\(Self.name).gz", with: elsewhere)
    try Data(edited.utf8).write(to: URL(fileURLWithPath: indexPath(fixture)))
    #expect(try fixture.fetch(Self.name) == .fetched(source: elsewhere))
    #expect(try String(contentsOfFile: indexPath(fixture), encoding: .utf8) == edited)
  }

  @Test func aNameNotInTheIndexIsLookedForAgainWhenAFolderChanged() throws {
    let fixture = try WALFetchFixture()
    defer { fixture.remove() }
    try fixture.repository.writeSegment(
      "000000010000000000000004", folder: "2026-11-21", gzip: true)
    try fixture.settle()
    _ = try fixture.fetch("000000010000000000000004")
    // Archived during recovery, into a folder that did not exist, and into an old one.
    let new = try fixture.repository.writeSegment(Self.name, folder: "2026-11-22", gzip: true)
    #expect(try fixture.fetch(Self.name) == .fetched(source: new))
    #expect(try String(contentsOfFile: indexPath(fixture), encoding: .utf8).contains(new))
    try fixture.settle()
    _ = try fixture.fetch("00000002.history")
    let old = try fixture.repository.writeSegment(
      "000000010000000000000006", folder: "2026-11-21", gzip: true)
    #expect(try fixture.fetch("000000010000000000000006") == .fetched(source: old))
  }

  @Test func aFileMovedSinceTheIndexWasWrittenIsFoundWhereItIsNow() throws {
    let fixture = try WALFetchFixture()
    defer { fixture.remove() }
    let old = try fixture.repository.writeSegment(Self.name, gzip: true)
    _ = try fixture.fetch(Self.name)
    let new = "\(fixture.archive)/2026-11-22/\(Self.name).gz"
    try FileManager.default.createDirectory(
      atPath: "\(fixture.archive)/2026-11-22", withIntermediateDirectories: true)
    try FileManager.default.moveItem(atPath: old, toPath: new)
    #expect(try fixture.fetch(Self.name) == .fetched(source: new))
  }

  @Test func aMissInASettledArchiveDoesNotWalkAgain() throws {
    let fixture = try WALFetchFixture()
    defer { fixture.remove() }
    try fixture.repository.writeSegment(Self.name, folder: "2026-11-22", gzip: true)
    try fixture.settle()
    _ = try fixture.fetch(Self.name)
    let before = try fixture.indexInode()
    let miss = try fixture.fetch("00000002.history")
    #expect(miss == .notFound(reason: "00000002.history: not in \(fixture.archive)"))
    #expect(try fixture.indexInode() == before)
  }

  @Test func aMissRightAfterAFolderChangedWalksAgain() throws {
    // Folders changed within two seconds of the walk may change again unseen in the same
    // clock tick: a miss does not trust them.
    let fixture = try WALFetchFixture()
    defer { fixture.remove() }
    try fixture.repository.writeSegment(Self.name, folder: "2026-11-22", gzip: true)
    _ = try fixture.fetch(Self.name)
    let before = try fixture.indexInode()
    let miss = try fixture.fetch("00000002.history")
    #expect(miss == .notFound(reason: "00000002.history: not in \(fixture.archive)"))
    #expect(try fixture.indexInode() != before)
  }

  @Test func anIndexOfOtherFoldersIsNotUsed() throws {
    let fixture = try WALFetchFixture()
    defer { fixture.remove() }
    try fixture.repository.writeSegment(Self.name, gzip: true)
    _ = try fixture.fetch(Self.name)
    let second = fixture.repository.directory.file("second")
    let there = try fixture.repository.write(
      RepositoryFixture.segmentBytes("000000010000000000000006"),
      to: "\(second)/000000010000000000000006")
    let fetcher = WALFetcher(archiveFolders: [second, fixture.archive], spoolFolder: fixture.spool)
    #expect(
      try fetcher.fetch("000000010000000000000006", to: fixture.destination)
        == .fetched(source: there))
    let index = try String(contentsOfFile: indexPath(fixture), encoding: .utf8)
    let header = index.prefix { $0 != "\n" }
    #expect(header.hasPrefix("pitr-wal-index 1\t"))
    #expect(header.hasSuffix("\t\(second)\t\(fixture.archive)"))
  }
}
