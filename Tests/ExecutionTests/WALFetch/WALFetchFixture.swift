import Execution
import Foundation
import _PITRTestSupport

/// An archive (a ``RepositoryFixture``'s `wal` folder of 1 MiB segments), a spool and a
/// folder standing for `pg_wal`, for the `wal-fetch` tests.
struct WALFetchFixture {
  let repository: RepositoryFixture
  var archive: String { repository.wal }
  var spool: String { repository.directory.file("spool") }
  var pgWAL: String { repository.directory.file("pg_wal") }
  /// `%p` as PostgreSQL passes it.
  var destination: String { "\(pgWAL)/RECOVERYXLOG" }

  init() throws {
    repository = try RepositoryFixture()
    try FileManager.default.createDirectory(atPath: pgWAL, withIntermediateDirectories: true)
  }

  func remove() { repository.remove() }

  /// A fetcher over the archive, with the spool unless `spool` is false; warnings are
  /// collected into `warnings`.
  func fetcher(
    spool useSpool: Bool = true, systemIdentifier: UInt64? = nil,
    warnings: WarningLog = WarningLog()
  ) -> WALFetcher {
    WALFetcher(
      archiveFolders: [archive], spoolFolder: useSpool ? spool : nil,
      expectedSystemIdentifier: systemIdentifier, warn: { warnings.append($0) })
  }

  /// Fetches `name` to ``destination``.
  func fetch(_ name: String, spool: Bool = true, systemIdentifier: UInt64? = nil) throws
    -> WALFetchOutcome
  {
    try fetcher(spool: spool, systemIdentifier: systemIdentifier).fetch(name, to: destination)
  }

  /// The destination's bytes, or nil when there is no file.
  func delivered() -> [UInt8]? {
    FileManager.default.contents(atPath: destination).map { Array($0) }
  }

  /// The files in `pg_wal`, to see that no temporary file is left behind.
  func pgWALFiles() -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: pgWAL)) ?? []).sorted()
  }

  /// Makes every folder of the archive look last changed an hour ago, as the folders of an
  /// archive nobody writes into do; the index trusts only such folders' times.
  func settle() throws {
    let past = Date(timeIntervalSinceNow: -3600)
    let enumerator = FileManager.default.enumerator(atPath: archive)
    var folders = [archive]
    while let relative = enumerator?.nextObject() as? String {
      if enumerator?.fileAttributes?[.type] as? FileAttributeType == .typeDirectory {
        folders.append("\(archive)/\(relative)")
      }
    }
    for folder in folders {
      try FileManager.default.setAttributes([.modificationDate: past], ofItemAtPath: folder)
    }
  }

  /// The index file's inode number, which changes each time the index is written.
  func indexInode() throws -> Int? {
    try FileManager.default.attributesOfItem(atPath: "\(spool)/index")[.systemFileNumber] as? Int
  }

  /// Writes bytes to a file in the archive.
  @discardableResult
  func put(_ bytes: [UInt8], at relativePath: String) throws -> String {
    try repository.write(bytes, to: "\(archive)/\(relativePath)")
  }
}

/// Warnings a fetcher printed.
final class WarningLog: @unchecked Sendable {
  private(set) var lines: [String] = []
  func append(_ line: String) { lines.append(line) }
}
