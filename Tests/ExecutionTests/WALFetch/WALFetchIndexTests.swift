import Catalog
import Foundation
import PostgresVocabulary
import Testing
import _PITRTestSupport

@testable import Execution

/// The index file: its lookup, a binary search over sorted lines, which must find every name,
/// the first and the last included, all the copies of one name, and nothing for names
/// between them; and whether it is still current.
@Suite struct WALFetchIndexTests {
  @Test func everyNameIsFoundInAStoredIndexAndNoOtherIs() throws {
    let directory = try TemporaryDirectory("wal-index")
    defer { directory.remove() }
    let root = directory.file("archive")
    var names: [String] = []
    for number in stride(from: UInt64(2), to: 600, by: 2) {
      let name = WALSegmentName(
        timeline: TimelineID(1), segmentNumber: number, size: RepositoryFixture.segmentSize)
      names.append(name.description)
      let folder = "\(root)/day-\(number % 7)"
      try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
      _ = FileManager.default.createFile(atPath: "\(folder)/\(name).gz", contents: nil)
    }
    // Two copies of one name, and a history file (its name sorts before the segments).
    _ = FileManager.default.createFile(atPath: "\(root)/\(names[10])", contents: nil)
    _ = FileManager.default.createFile(atPath: "\(root)/00000002.history", contents: nil)

    let walked = WALArchiveIndex(walking: [root])
    let path = directory.file("index")
    #expect(walked.save(to: path))
    let stored = try #require(WALArchiveIndex(loading: path, roots: [root]))
    #expect(WALArchiveIndex(loading: path, roots: [root, "/elsewhere"]) == nil)

    for (offset, name) in names.enumerated() {
      let number = UInt64(offset * 2 + 2)
      var expected = ["\(root)/day-\(number % 7)/\(name).gz"]
      if offset == 10 { expected.insert("\(root)/\(name)", at: 0) }
      #expect(stored.paths(for: name).sorted() == expected.sorted(), "\(name)")
      #expect(walked.paths(for: name).sorted() == expected.sorted(), "\(name)")
      let odd = WALSegmentName(
        timeline: TimelineID(1), segmentNumber: number + 1, size: RepositoryFixture.segmentSize)
      #expect(stored.paths(for: odd.description).isEmpty)
    }
    #expect(stored.paths(for: "00000002.history") == ["\(root)/00000002.history"])
    for missing in ["", "0", "00000001.history", "000000010000000000000000", "FFFFFFFF", "Z"] {
      #expect(stored.paths(for: missing).isEmpty, "\(missing)")
    }
  }

  @Test func anEmptyArchiveGivesAnIndexWithOnlyItsHeader() throws {
    let directory = try TemporaryDirectory("wal-index-empty")
    defer { directory.remove() }
    let path = directory.file("index")
    #expect(WALArchiveIndex(walking: [directory.path]).save(to: path))
    let stored = try #require(WALArchiveIndex(loading: path, roots: [directory.path]))
    #expect(stored.paths(for: "000000010000000000000001").isEmpty)
  }

  @Test func anIndexIsCurrentUntilAFolderChanges() throws {
    let directory = try TemporaryDirectory("wal-index-current")
    defer { directory.remove() }
    let root = directory.file("archive")
    try FileManager.default.createDirectory(
      atPath: "\(root)/2026-11-22", withIntermediateDirectories: true)
    let past = Date(timeIntervalSinceNow: -3600)
    for folder in [root, "\(root)/2026-11-22"] {
      try FileManager.default.setAttributes([.modificationDate: past], ofItemAtPath: folder)
    }
    let path = directory.file("index")
    #expect(WALArchiveIndex(walking: [root]).save(to: path))
    #expect(try #require(WALArchiveIndex(loading: path, roots: [root])).isCurrent)
    _ = FileManager.default.createFile(atPath: "\(root)/2026-11-22/x", contents: nil)
    #expect(try #require(WALArchiveIndex(loading: path, roots: [root])).isCurrent == false)
    // Just walked, the folder changed a moment ago: not trusted.
    #expect(WALArchiveIndex(walking: [root]).save(to: path))
    #expect(try #require(WALArchiveIndex(loading: path, roots: [root])).isCurrent == false)
  }

  /// The name each archived file is listed under: its own without a compression suffix;
  /// `.partial` files and names PostgreSQL does not use are not listed.
  @Test func filesAreListedUnderTheNamePostgreSQLAsksFor() throws {
    let segment = "000000010000000A000000FF"
    let listed = [
      segment: segment, "\(segment).gz": segment, "00000002.history": "00000002.history",
      "00000002.history.gz": "00000002.history",
      "00000001000000000000000D.00000060.backup": "00000001000000000000000D.00000060.backup",
      "00000001000000000000000D.00000060.backup.gz": "00000001000000000000000D.00000060.backup",
    ]
    for (file, name) in listed {
      #expect(WALArchiveIndex.lookupName(ofFile: file) == name, "\(file)")
    }
    for file in [
      "\(segment).partial", "\(segment).gz.partial", "\(segment).partial.gz",
      "000000010000000a000000ff", "\(segment).old", "index", "backup_label",
    ] {
      #expect(WALArchiveIndex.lookupName(ofFile: file) == nil, "\(file)")
    }

    let directory = try TemporaryDirectory("wal-index-layouts")
    defer { directory.remove() }
    let root = directory.file("archive")
    try FileManager.default.createDirectory(
      atPath: "\(root)/2026-11-22", withIntermediateDirectories: true)
    for file in listed.keys.sorted() + ["\(segment).partial", "README"] {
      _ = FileManager.default.createFile(atPath: "\(root)/2026-11-22/\(file)", contents: nil)
    }
    let walked = WALArchiveIndex(walking: [root])
    #expect(
      walked.paths(for: segment)
        == ["\(root)/2026-11-22/\(segment)", "\(root)/2026-11-22/\(segment).gz"])
    #expect(walked.paths(for: "\(segment).partial").isEmpty)
    let found = WALArchiveIndex.paths(
      for: "00000002.history", walking: [directory.file("missing"), root])
    #expect(
      found.paths
        == ["\(root)/2026-11-22/00000002.history", "\(root)/2026-11-22/00000002.history.gz"])
    #expect(
      found.problems.map(\.description)
        == ["cannot read \(directory.file("missing")): No such file or directory"])
  }
}
