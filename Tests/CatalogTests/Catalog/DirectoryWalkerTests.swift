import Catalog
import Foundation
import Storage
import Testing
import _PITRTestSupport

#if canImport(Glibc)
  import Glibc
#endif

/// The one folder walker of the catalog's scan and of `pitr wal-fetch`'s index: both of its
/// details find the same files (links to files followed, links to folders, dangling links and
/// FIFOs passed over), it notes every folder it reads with its modification time, skips the
/// folders it is told to, and names the folders it cannot read.
@Suite struct DirectoryWalkerTests {
  /// An archive with dated folders, a link to a file, a link to a folder (a loop), a dangling
  /// link and a FIFO.
  private func makeTree(_ directory: TemporaryDirectory) throws -> String {
    let root = directory.file("archive")
    let manager = FileManager.default
    for folder in ["2026-11-22", "2026-11-23/deeper", "skip\tme"] {
      try manager.createDirectory(atPath: "\(root)/\(folder)", withIntermediateDirectories: true)
    }
    for (path, size) in [
      ("000000010000000000000001", 3), ("2026-11-22/000000010000000000000002.gz", 5),
      ("2026-11-23/deeper/00000002.history", 7), ("skip\tme/000000010000000000000009", 1),
    ] {
      _ = manager.createFile(atPath: "\(root)/\(path)", contents: Data(count: size))
    }
    try manager.createSymbolicLink(
      atPath: "\(root)/2026-11-23/000000010000000000000003",
      withDestinationPath: "../000000010000000000000001")
    try manager.createSymbolicLink(atPath: "\(root)/2026-11-23/loop", withDestinationPath: "..")
    try manager.createSymbolicLink(atPath: "\(root)/dangling", withDestinationPath: "\(root)/nowhere")
    #expect(mkfifo("\(root)/fifo", 0o600) == 0)
    return root
  }

  @Test func bothDetailsFindTheSameFilesAndOnlyOneStatsThem() throws {
    let directory = try TemporaryDirectory("walker")
    defer { directory.remove() }
    let root = try makeTree(directory)
    let expected = [
      "\(root)/000000010000000000000001", "\(root)/2026-11-22/000000010000000000000002.gz",
      "\(root)/2026-11-23/000000010000000000000003", "\(root)/2026-11-23/deeper/00000002.history",
      "\(root)/skip\tme/000000010000000000000009",
    ]

    let (files, problems) = DirectoryWalker.files(under: root)
    #expect(problems.isEmpty)
    #expect(files.map(\.path) == expected)
    #expect(files.map(\.size) == [3, 5, 3, 7, 1])
    #expect(files.allSatisfy { $0.modified > 0 })

    var walker = DirectoryWalker(detail: .nameOnly)
    var found: [DirectoryWalker.Entry] = []
    walker.walk(root) { found.append($0) }
    #expect(found.map(\.path).sorted() == expected)
    // Names only: a plain file is not stat'ed; a link is, to learn what it points at.
    let sizes = Dictionary(uniqueKeysWithValues: found.map { ($0.name, $0.size) })
    #expect(sizes["000000010000000000000001"] == 0)
    #expect(sizes["000000010000000000000003"] == 3)
    #expect(walker.problems.isEmpty)
    #expect(
      walker.folders.map(\.path).sorted()
        == [
          root, "\(root)/2026-11-22", "\(root)/2026-11-23", "\(root)/2026-11-23/deeper",
          "\(root)/skip\tme",
        ])
    #expect(walker.folders.first?.path == root)
    let rootTime = try #require(
      FileManager.default.attributesOfItem(atPath: root)[.modificationDate] as? Date)
    let noted = try #require(walker.folders.first?.modified)
    #expect(abs(Double(noted) / 1e9 - rootTime.timeIntervalSince1970) < 0.001)
  }

  @Test func foldersRefusedByTheFilterAreNotEntered() throws {
    let directory = try TemporaryDirectory("walker-filter")
    defer { directory.remove() }
    let root = try makeTree(directory)
    var walker = DirectoryWalker(detail: .nameOnly) { !$0.contains("\t") }
    var names: [String] = []
    walker.walk(root) { names.append($0.name) }
    #expect(!names.contains("000000010000000000000009"))
    #expect(!walker.folders.contains { $0.path.contains("\t") })
    #expect(names.count == 4)
  }

  @Test func aFolderThatCannotBeReadIsAProblemWithItsReason() throws {
    let directory = try TemporaryDirectory("walker-missing")
    defer { directory.remove() }
    var walker = DirectoryWalker(detail: .sizeAndTime)
    var count = 0
    walker.walk(directory.file("missing")) { _ in count += 1 }
    walker.walk(directory.path) { _ in count += 1 }
    #expect(count == 0)
    #expect(
      walker.problems == [
        DirectoryWalker.Problem(path: directory.file("missing"), reason: "No such file or directory")
      ])
    #expect(
      walker.problems.map(\.description)
        == ["cannot read \(directory.file("missing")): No such file or directory"])
    #expect(walker.folders.map(\.path) == [directory.path])
  }
}
