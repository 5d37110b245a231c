import Foundation

/// Reading archived WAL with PostgreSQL's own `pg_waldump`.
extension PostgresLab {
  /// The records `pg_waldump` finds in the archived WAL file `walFileName` (decompressed to
  /// a scratch file first), printed with `TZ=UTC`.
  ///
  /// `pg_waldump` stops with an error at the end of the file's valid WAL (it looks for the
  /// next segment); that is not an error here as long as it printed records.
  public func waldump(_ walFileName: String) throws -> [WaldumpRecord] {
    let scratch = directory.file("scratch/\(UUID().uuidString.prefix(8))")
    defer { try? FileManager.default.removeItem(atPath: scratch) }
    let copy = try archive.decompressedCopy(of: walFileName, into: scratch)
    let result = try ProcessRunner.run(
      "\(Self.binaries)/pg_waldump", [copy], environment: Self.programEnvironment)
    let records = result.standardOutput.split(separator: "\n").compactMap {
      WaldumpRecord(line: $0)
    }
    guard !records.isEmpty else {
      throw FixtureError("pg_waldump found no records in \(walFileName): \(result.standardError)")
    }
    return records
  }
}
