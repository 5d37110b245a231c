import Foundation

/// Reading consecutive archived WAL files of one timeline with PostgreSQL's `pg_waldump`.
extension PostgresLab {
  /// The records `pg_waldump -t timeline` finds in the archived WAL files `walFileNames`
  /// (consecutive segments of that timeline, decompressed side by side first), so records
  /// that cross from one file into the next are printed too; times are in UTC.
  ///
  /// `pg_waldump` stops with an error where valid WAL ends; that is not an error here as
  /// long as it printed records.
  public func waldump(_ walFileNames: [String], timeline: UInt32) throws -> [WaldumpRecord] {
    guard let first = walFileNames.first, let last = walFileNames.last else { return [] }
    let scratch = directory.file("scratch/\(UUID().uuidString.prefix(8))")
    defer { try? FileManager.default.removeItem(atPath: scratch) }
    for name in walFileNames { _ = try archive.decompressedCopy(of: name, into: scratch) }
    let result = try ProcessRunner.run(
      "\(Self.binaries)/pg_waldump", ["-p", scratch, "-t", String(timeline), first, last],
      environment: Self.programEnvironment)
    let records = result.standardOutput.split(separator: "\n").compactMap {
      WaldumpRecord(line: $0)
    }
    guard !records.isEmpty else {
      throw FixtureError("pg_waldump found no records in \(walFileNames): \(result.standardError)")
    }
    return records
  }
}
