import Archives
import Foundation
import Testing
import _PITRTestSupport

/// Checks the reader (and the test writer) against GNU tar's own archives and listings.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/tar")))
struct SystemTarTests {
  static let tar = "/usr/bin/tar"
  private static let deepDirectory =
    "deep/"
    + (1...3).map { String(repeating: Character("\($0)"), count: 40) }.joined(separator: "/")

  /// Makes a small data directory: files of several sizes, a deep path, links, an empty directory.
  private func makeTree(at root: String) throws {
    let files: [(String, [UInt8])] = [
      ("backup_label", Array("START WAL LOCATION: 0/2000028\n".utf8)),
      ("global/pg_control", ArchiveSamples.text(8192)),
      ("base/1/1259", ArchiveSamples.text(1000, seed: 5)),
      ("empty", []),
      ("\(Self.deepDirectory)/relation_file_with_a_long_name", ArchiveSamples.text(513, seed: 6)),
    ]
    let manager = FileManager.default
    for (path, data) in files {
      let url = URL(fileURLWithPath: "\(root)/\(path)")
      try manager.createDirectory(
        at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
      try Data(data).write(to: url)
    }
    try manager.createDirectory(
      atPath: "\(root)/pg_wal/archive_status", withIntermediateDirectories: true)
    try manager.createSymbolicLink(atPath: "\(root)/link", withDestinationPath: "backup_label")
    try manager.linkItem(atPath: "\(root)/backup_label", toPath: "\(root)/hard")
  }

  /// Runs tar and returns its output, recording a failure when it fails.
  private func runTar(_ arguments: [String]) throws -> String {
    let result = try ProcessRunner.run(Self.tar, arguments)
    #expect(result.status == 0, "tar \(arguments): \(result.standardError)")
    return result.standardOutput
  }

  @Test(arguments: [("gnu", false), ("pax", false), ("ustar", false), ("gnu", true), ("pax", true)])
  func readsWhatGNUTarWrites(format: String, compressed: Bool) throws {
    let directory = try TemporaryDirectory("archives-system-tar")
    defer { directory.remove() }
    let root = directory.file("data")
    try makeTree(at: root)
    let archive = directory.file(compressed ? "base.tar.gz" : "base.tar")
    _ = try runTar(["--format=\(format)", compressed ? "-czf" : "-cf", archive, "-C", root, "."])
    let listed = try runTar(["-tf", archive]).split(separator: "\n").map(String.init)

    var reader = TarReader(try DecompressedFileStream(path: archive))
    var paths: [String] = []
    var hardLinks = 0
    while let entry = try reader.next() {
      paths.append(entry.path)
      let relative = entry.archivePath.normalized
      let onDisk = try FileManager.default.attributesOfItem(atPath: "\(root)/\(relative)")
      #expect(
        entry.modificationTime
          == Int64(
            (onDisk[.modificationDate] as? Date)?
              .timeIntervalSince1970 ?? 0))
      switch entry.kind {
      case .regularFile:
        let expected = try Data(contentsOf: URL(fileURLWithPath: "\(root)/\(relative)"))
        #expect(try reader.readAll(limit: 1 << 20) == Array(expected), "\(entry.path)")
        #expect(entry.mode & 0o777 == (onDisk[.posixPermissions] as? Int).map(UInt32.init))
      case .directory:
        #expect(onDisk[.type] as? FileAttributeType == .typeDirectory)
      case .symbolicLink:
        #expect(entry.linkTarget == "backup_label")
      case .hardLink:
        hardLinks += 1
        #expect(["./backup_label", "./hard"].contains(entry.linkTarget))
      case .other:
        Issue.record("unexpected entry \(entry)")
      }
    }
    #expect(paths == listed)
    #expect(paths.contains("./\(Self.deepDirectory)/relation_file_with_a_long_name"))
    #expect(hardLinks == 1)
  }

  @Test(arguments: [TarWriter<FileSink>.Format.gnu, .pax, .ustar])
  func gnuTarReadsWhatTheTestWriterWrites(format: TarWriter<FileSink>.Format) throws {
    let directory = try TemporaryDirectory("archives-writer")
    defer { directory.remove() }
    let archive = directory.file("written.tar")
    let longPath =
      "\(Self.deepDirectory)/" + String(repeating: "n", count: format == .ustar ? 90 : 130)
    var tar = TarWriter(try FileSink(path: archive), format: format)
    try tar.append(.directory("./"))
    try tar.append(.file("./backup_label"), data: Array("label\n".utf8))
    try tar.append(.file(longPath), data: ArchiveSamples.text(3000))
    try tar.append(.symlink("link", to: "backup_label"))
    try tar.append(.file("big"), data: ArchiveSamples.text(600), base256Size: format == .gnu)
    try tar.finish().close()

    let listed = try runTar(["-tf", archive]).split(separator: "\n").map(String.init)
    #expect(listed == ["./", "./backup_label", longPath, "link", "big"])
    _ = try runTar(["-xf", archive, "-C", directory.path])
    let extracted = try Data(contentsOf: URL(fileURLWithPath: directory.file(longPath)))
    #expect(Array(extracted) == ArchiveSamples.text(3000))
  }
}
