import Execution
import Foundation
import Testing
import _PITRTestSupport

#if canImport(Glibc)
  import Glibc
#endif

/// How a prefetched segment reaches `%p`: on the same file system the spooled file itself is
/// renamed onto it (no byte copied, nothing left in the spool); on another one it is copied
/// through a temporary file beside `%p`, then removed from the spool.
@Suite struct WALFetchHandOverTests {
  static let name = "000000010000000000000005"

  @Test func aSpooledSegmentBecomesTheDestinationFileItself() throws {
    let fixture = try WALFetchFixture()
    defer { fixture.remove() }
    let spooled = try fixture.repository.write(
      RepositoryFixture.segmentBytes(Self.name), to: "\(fixture.spool)/\(Self.name)")
    let spooledFile = try #require(Self.identity(of: spooled))
    #expect(try fixture.fetch(Self.name) == .fetched(source: spooled))
    #expect(Self.identity(of: fixture.destination) == spooledFile)
    #expect(fixture.delivered() == RepositoryFixture.segmentBytes(Self.name))
    #expect(!FileManager.default.fileExists(atPath: spooled))
    #expect(fixture.pgWALFiles() == ["RECOVERYXLOG"])
  }

  @Test func aSegmentAskedForAgainAfterItsHandOverComesFromTheArchive() throws {
    // PostgreSQL asks for a segment again after a restart of recovery, or on a timeline
    // switch; the spooled copy is gone by then.
    let fixture = try WALFetchFixture()
    defer { fixture.remove() }
    let archived = try fixture.repository.writeSegment(Self.name, folder: "2026-11-22", gzip: true)
    let spooled = try fixture.repository.write(
      RepositoryFixture.segmentBytes(Self.name), to: "\(fixture.spool)/\(Self.name)")
    #expect(try fixture.fetch(Self.name) == .fetched(source: spooled))
    unlink(fixture.destination)  // as PostgreSQL does before each restore_command
    #expect(try fixture.fetch(Self.name) == .fetched(source: archived))
    #expect(fixture.delivered() == RepositoryFixture.segmentBytes(Self.name))
    #expect(try fixture.fetch(Self.name) == .fetched(source: archived))
    #expect(fixture.pgWALFiles() == ["RECOVERYXLOG"])
  }

  @Test func aSpoolOnAnotherFileSystemIsCopiedAndEmptied() throws {
    let fixture = try WALFetchFixture()
    defer { fixture.remove() }
    let device = try #require(Self.identity(of: fixture.pgWAL)).device
    let parent = try #require(
      ["/dev/shm", FileManager.default.temporaryDirectory.path].first {
        Self.identity(of: $0).map { $0.device != device } ?? false
      }, "no folder on another file system than \(fixture.pgWAL)")
    let other = try TemporaryDirectory("spool", in: parent)
    defer { other.remove() }
    let spool = other.file("spool")
    let spooled = try fixture.repository.write(
      RepositoryFixture.segmentBytes(Self.name), to: "\(spool)/\(Self.name)")
    let spooledFile = try #require(Self.identity(of: spooled))
    let warnings = WarningLog()
    let fetcher = WALFetcher(
      archiveFolders: [fixture.archive], spoolFolder: spool, warn: { warnings.append($0) })
    #expect(try fetcher.fetch(Self.name, to: fixture.destination) == .fetched(source: spooled))
    #expect(fixture.delivered() == RepositoryFixture.segmentBytes(Self.name))
    let delivered = try #require(Self.identity(of: fixture.destination))
    #expect(delivered.device == device && delivered != spooledFile)
    #expect(!FileManager.default.fileExists(atPath: spooled))
    #expect(fixture.pgWALFiles() == ["RECOVERYXLOG"])
    #expect(warnings.lines.isEmpty)
  }

  /// The device and inode of `path`, which tell whether two paths are one file.
  static func identity(of path: String) -> FileIdentity? {
    var info = stat()
    guard stat(path, &info) == 0 else { return nil }
    return FileIdentity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
  }

  struct FileIdentity: Equatable {
    var device: UInt64
    var inode: UInt64
  }
}
