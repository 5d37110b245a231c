import Compiler
import Foundation
import PostgresVocabulary
import Testing
import _PITRTestSupport

@testable import Execution

/// The prefetch goes on while recovery runs (the server does not wait for it): a segment
/// recovery has already restored into pg_wal is not decompressed again.
@Suite struct PrefetchBesideRecoveryTests {
  @Test func aSegmentAlreadyInPgWalIsPassedOver() throws {
    let directory = try TemporaryDirectory("prefetch-beside-recovery")
    defer { directory.remove() }
    let names = ["000000010000000000000003", "000000010000000000000004", "000000010000000000000005"]
    for folder in ["archive", "spool", "pg_wal"] {
      try FileManager.default.createDirectory(atPath: directory.file(folder), withIntermediateDirectories: true)
    }
    var segments: [StepAction.PrefetchWAL.Segment] = []
    for name in names {
      let source = directory.file("archive/\(name)")
      try Data(RepositoryFixture.segmentBytes(name)).write(to: URL(fileURLWithPath: source))
      segments.append(.init(name: try #require(WALSegmentName(name)), source: source))
    }
    // Recovery restored the first two already (PostgreSQL keeps them in pg_wal).
    for name in names.prefix(2) {
      try Data(RepositoryFixture.segmentBytes(name)).write(to: URL(fileURLWithPath: directory.file("pg_wal/\(name)")))
    }
    let payload = StepAction.PrefetchWAL(
      spool: directory.file("spool"), segments: segments, owner: nil, walDirectory: directory.file("pg_wal"))

    try PrefetchWAL.fill(payload, isCancelled: { false })

    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.file("spool")) == [names[2]])
    #expect(
      Array(try Data(contentsOf: URL(fileURLWithPath: directory.file("spool/\(names[2])"))))
        == RepositoryFixture.segmentBytes(names[2]))
  }

  @Test func withoutAWalDirectoryEverySegmentIsSpooled() throws {
    let directory = try TemporaryDirectory("prefetch-no-wal-directory")
    defer { directory.remove() }
    let name = "000000010000000000000003"
    try FileManager.default.createDirectory(atPath: directory.file("spool"), withIntermediateDirectories: true)
    let source = directory.file(name + ".archived")
    try Data(RepositoryFixture.segmentBytes(name)).write(to: URL(fileURLWithPath: source))
    let payload = StepAction.PrefetchWAL(
      spool: directory.file("spool"), segments: [.init(name: try #require(WALSegmentName(name)), source: source)],
      owner: nil, walDirectory: nil)

    try PrefetchWAL.fill(payload, isCancelled: { false })

    #expect(FileManager.default.fileExists(atPath: directory.file("spool/\(name)")))
  }
}
