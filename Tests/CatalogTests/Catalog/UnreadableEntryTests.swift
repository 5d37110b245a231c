import Catalog
import Dispatch
import Foundation
import PlanModel
import PostgresVocabulary
import Testing
import _PITRTestSupport

#if canImport(Glibc)
  import Glibc
#endif

/// Files the catalog cannot read, in the WAL archive and the base folder. The tests run as
/// root, for whom permissions do not stop a read, so an unreadable file is a link to
/// `/proc/self/mem`: a regular file to `stat` whose first byte fails to read (EIO) for
/// everyone. Entries that are not files (dangling links, link loops, FIFOs, folders named
/// like segments) are passed over by the walk without opening them: a FIFO must never hang
/// the scan.
@Suite struct UnreadableEntryTests {
  static let procMemory = "/proc/self/mem"
  static var hasProcMemory: Bool { FileManager.default.fileExists(atPath: procMemory) }

  private func segment(_ number: UInt64) -> String {
    WALSegmentName(timeline: TimelineID(1), segmentNumber: number, size: RepositoryFixture.segmentSize).description
  }

  private func link(_ path: String, to target: String) throws {
    try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: target)
  }

  /// Scans in a thread of its own and gives up after `seconds`, opening `fifos` for writing
  /// then (which ends any read blocked on one) so a hanging scan fails the test, not the run.
  private func scan(_ fixture: RepositoryFixture, within seconds: Double = 20, fifos: [String] = []) -> Catalog? {
    final class Result: @unchecked Sendable { var catalog: Catalog? }
    let result = Result()
    let done = DispatchSemaphore(value: 0)
    let (base, wal) = (fixture.base, fixture.wal)
    Thread.detachNewThread {
      result.catalog = Catalog.scan(base: base, wal: [wal], cache: .disabled)
      done.signal()
    }
    guard done.wait(timeout: .now() + seconds) == .timedOut else { return result.catalog }
    Issue.record("the catalog scan did not end within \(seconds) s")
    for fifo in fifos {
      let descriptor = open(fifo, O_RDWR | O_NONBLOCK)
      if descriptor >= 0 { close(descriptor) }
    }
    done.wait()
    return nil
  }

  @Test(.enabled(if: hasProcMemory, "needs /proc/self/mem"))
  func anUnreadableSegmentIsNamedAndTheRestOfTheArchiveCatalogued() throws {
    let fixture = try RepositoryFixture()
    defer { fixture.remove() }
    for number: UInt64 in [2, 3, 6] { try fixture.writeSegment(segment(number), gzip: true) }
    let plain = "\(fixture.wal)/\(segment(4))"
    let compressed = "\(fixture.wal)/2025-07-01/\(segment(5)).gz"
    let history = "\(fixture.wal)/00000002.history"
    try FileManager.default.createDirectory(atPath: "\(fixture.wal)/2025-07-01", withIntermediateDirectories: true)
    for path in [plain, compressed, history] { try link(path, to: Self.procMemory) }

    let catalog = try #require(scan(fixture))

    let archiveDiagnostics = catalog.diagnostics.filter { $0.location != .file(fixture.base) }
    // In path order: the archive's top level, then the dated folder.
    #expect(archiveDiagnostics.map(\.location) == [.file(plain), .file(history), .file(compressed)])
    #expect(archiveDiagnostics.allSatisfy { $0.severity == .error })
    #expect(
      archiveDiagnostics.map(\.message) == [
        "named like a WAL segment, but cannot read (Input/output error) at byte 0 of \(plain)",
        "cannot read (Input/output error) at byte 0 of \(history)",
        "named like a WAL segment, but cannot read (Input/output error) at byte 0 of \(compressed)",
      ])
    // The rest is catalogued; the unreadable segments are a gap, the history file is left out.
    #expect(catalog.archive.segments.map(\.name.description) == [segment(2), segment(3), segment(6)])
    #expect(catalog.archive.historyFiles.isEmpty)
    let timeline = try #require(catalog.archive.timelines.first)
    #expect(timeline.gaps.map { "\($0.first)..\($0.last)" } == ["\(segment(4))..\(segment(5))"])
  }

  @Test(.enabled(if: hasProcMemory, "needs /proc/self/mem"))
  func anUnreadableBaseArchiveIsNamedAndTheOtherBackupsRead() throws {
    let fixture = try RepositoryFixture()
    defer { fixture.remove() }
    try fixture.writeBackup(.init(id: "good"))
    let folder = "\(fixture.base)/bad"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let archive = "\(folder)/base.tar.gz"
    try link(archive, to: Self.procMemory)

    let catalog = try #require(scan(fixture))

    #expect(catalog.backups.map(\.id) == ["good"])
    let problems = catalog.diagnostics.filter { $0.location == .file(archive) }
    #expect(problems.map(\.message) == ["cannot read (Input/output error) at byte 0 of \(archive)"])
    #expect(problems.allSatisfy { $0.severity == .error })
    // Nothing else is blamed on the unreadable backup's folder.
    let others = catalog.diagnostics.filter { diagnostic in
      diagnostic.location != .file(archive) && diagnostic.location.map { $0.file.hasPrefix(folder) } == true
    }
    #expect(others.isEmpty, "\(others.map(\.message))")
  }

  /// Dangling links, a link loop, FIFOs and a folder named like a segment are not files: the
  /// walk passes over them without opening them (no diagnostic, no hang), a folder is walked
  /// into like any dated folder, and the files around them are catalogued.
  @Test func entriesThatAreNotFilesArePassedOverWithoutHanging() throws {
    let fixture = try RepositoryFixture()
    defer { fixture.remove() }
    try fixture.writeBackup(.init(id: "good"))
    for number: UInt64 in [2, 3, 7] { try fixture.writeSegment(segment(number), gzip: true) }
    try link("\(fixture.wal)/\(segment(4)).gz", to: fixture.directory.file("gone/\(segment(4)).gz"))
    try link("\(fixture.wal)/\(segment(5))", to: "\(fixture.wal)/\(segment(5))")
    let walFIFO = "\(fixture.wal)/\(segment(6))"
    let baseFIFO = "\(fixture.base)/fifo/base.tar.gz"
    try FileManager.default.createDirectory(atPath: "\(fixture.base)/fifo", withIntermediateDirectories: true)
    for fifo in [walFIFO, baseFIFO] { #expect(mkfifo(fifo, 0o644) == 0, "mkfifo \(fifo)") }
    // A folder named like segment 8 holding segment 8: found, as in a dated folder.
    try fixture.writeSegment(segment(8), folder: segment(8), gzip: true)

    let catalog = try #require(scan(fixture, fifos: [walFIFO, baseFIFO]))

    #expect(
      catalog.archive.segments.map(\.name.description) == [segment(2), segment(3), segment(7), segment(8)])
    #expect(catalog.archive.segments.last?.path == "\(fixture.wal)/\(segment(8))/\(segment(8)).gz")
    #expect(catalog.backups.map(\.id) == ["good"])
    #expect(catalog.diagnostics.map(\.message) == [], "\(catalog.diagnostics.map(\.message))")
    let timeline = try #require(catalog.archive.timelines.first)
    #expect(timeline.gaps.map { "\($0.first)..\($0.last)" } == ["\(segment(4))..\(segment(6))"])
  }
}
