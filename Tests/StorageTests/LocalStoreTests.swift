import Archives
import Foundation
import Storage
import Testing
import _PITRTestSupport

/// `LocalStore`: a folder tree listed at any depth, sorted, with sizes and times; byte ranges
/// clipped to the file; streams read front to back; each failure a `StorageError` of its kind.
@Suite struct LocalStoreTests {
  private func makeRepository(_ directory: TemporaryDirectory) throws -> String {
    try directory.write("0123456789", to: "repo/wal/2026-11-22/000000010000000000000002")
    try directory.write("abc", to: "repo/wal/000000010000000000000001")
    try directory.write("label", to: "repo/base/2026/11/22/backup_label")
    try FileManager.default.createSymbolicLink(
      atPath: directory.file("repo/loop"), withDestinationPath: directory.file("repo"))
    return directory.file("repo")
  }

  @Test func listsEveryRegularFileSortedWithSizeAndTime() throws {
    let directory = try TemporaryDirectory("local-store")
    defer { directory.remove() }
    let root = try makeRepository(directory)
    let listing = try LocalStore().list(under: root)
    #expect(
      listing.files.map(\.path) == [
        "\(root)/base/2026/11/22/backup_label", "\(root)/wal/000000010000000000000001",
        "\(root)/wal/2026-11-22/000000010000000000000002",
      ])
    #expect(listing.files.map(\.size) == [5, 3, 10])
    #expect(listing.files.allSatisfy { $0.modified > 0 && $0.version == nil })
    #expect(listing.files.map(\.name) == ["backup_label", "000000010000000000000001", "000000010000000000000002"])
    #expect(listing.problems.isEmpty)
  }

  @Test func readsARangeClippedToTheFile() throws {
    let directory = try TemporaryDirectory("local-store")
    defer { directory.remove() }
    let file = try makeRepository(directory) + "/wal/2026-11-22/000000010000000000000002"
    let store = LocalStore()
    #expect(try store.read(file, range: 2..<5) == Array("234".utf8))
    #expect(try store.read(file, range: 8..<100) == Array("89".utf8))
    #expect(try store.read(file, range: 20..<30) == [])
    #expect(try store.read(file, range: nil) == Array("0123456789".utf8))
  }

  @Test func opensAStream() throws {
    let directory = try TemporaryDirectory("local-store")
    defer { directory.remove() }
    let file = try makeRepository(directory) + "/wal/000000010000000000000001"
    var stream = try LocalStore().open(file)
    var bytes = [UInt8](repeating: 0, count: 16)
    let count = try bytes.withUnsafeMutableBytes { try stream.readFully(into: $0) }
    #expect(Array(bytes[..<count]) == Array("abc".utf8))
    #expect(stream.name == file)
  }

  @Test func eachFailureIsAStorageErrorOfItsKind() throws {
    let directory = try TemporaryDirectory("local-store")
    defer { directory.remove() }
    let root = try makeRepository(directory)
    let store = LocalStore()
    #expect(throws: StorageError(.notFound, path: root + "/nowhere", reason: "No such file or directory")) {
      try store.list(under: root + "/nowhere")
    }
    let file = root + "/wal/000000010000000000000001"
    #expect(throws: StorageError(.notAFolder, path: file, reason: "not a folder")) {
      try store.list(under: file)
    }
    #expect(throws: StorageError(.notFound, path: root + "/gone", reason: "No such file or directory")) {
      try store.read(root + "/gone", range: nil)
    }
    #expect(throws: StorageError(.failed, path: root + "/wal", reason: "not a regular file")) {
      try store.read(root + "/wal", range: 0..<4)
    }
    #expect(throws: StorageError.self) { try store.open(root + "/gone") }
    #expect(
      StorageError(.denied, path: "/x", reason: "Permission denied").description
        == "cannot read /x: Permission denied")
  }
}
