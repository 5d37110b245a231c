import Foundation
import PostgresVocabulary
import Testing
import _PITRTestSupport

/// The seed 001 lab's gzip'd archive with 8 bytes flipped at offset 0x110 of the segment
/// holding the insert (decompressed, then gzip'd again): `pitr validate` refuses a target in a
/// later segment, naming the segment file, where valid WAL ends and why, and the window
/// left, where it used to say the plan was valid.
@Suite(.tags(.integration), .enabled(if: PostgresLab.isAvailable))
struct DamagedWALLabTests {
  @Test func validateRefusesATargetPastADamagedSegment() throws {
    let lab = try PostgresLab(name: "damaged", archive: .gzipDated)
    defer { lab.remove() }
    let scenario = try InventariosScenario.run(in: lab)
    let size = WALSegmentSize.sixteenMiB
    let damaged = try #require(WALSegmentName(scenario.insertWALFile))
    let deleteSegment = try #require(WALSegmentName(scenario.deleteWALFile))
    #expect(damaged < deleteSegment, "the target must lie in a later segment")

    let planPath = try writeLabPlan(lab, target: "  time: \"\(scenario.deleteCommitTime)\"\n  inclusive: false")
    let intact = try pitr("validate", "--no-cache", planPath, timeout: 120)
    #expect(intact.status == 0, "\(intact.standardError)")

    // Where valid WAL will end: the record holding offset 0x110, as pg_waldump reads it.
    let previous = try #require(damaged.advanced(by: -1, size: size))
    let records = try lab.waldump([previous.description, damaged.description], timeline: 1)
    let segmentStart = try #require(damaged.lsnRange(size: size)).lowerBound.rawValue
    let flipped = segmentStart + 0x110
    let record = try #require(records.last { $0.lsn <= flipped })
    try #require(flipped >= record.lsn + 24 && flipped + 8 <= record.lsn + UInt64(record.totalLength))
    let deleteCommit = try #require(
      lab.waldump([scenario.deleteWALFile], timeline: 1).first {
        $0.resourceManager == "Transaction" && $0.transactionID == scenario.deleteXid
      })

    // Flip 8 bytes of the decompressed segment and gzip it again, in place.
    let path = try #require(lab.archive.path(of: damaged.description))
    let plain = lab.directory.file("damaged-segment")
    try copyDecompressing(path, to: plain)
    var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: plain)))
    for offset in 0x110..<0x118 { bytes[offset] ^= 0xFF }
    try Data(gzip(bytes)).write(to: URL(fileURLWithPath: path))

    let result = try pitr("validate", "--no-cache", planPath, timeout: 120)
    #expect(result.status == 2)
    let breakLSN = LSN(rawValue: record.lsn)
    let output = result.standardOutput + result.standardError
    let stopLSN = LSN(rawValue: deleteCommit.lsn).description
    var expected = "\(planPath):6:3: error: the archived WAL on timeline 1 is damaged before the target "
    expected += "time \(scenario.deleteCommitTime) is reached (recovery would stop at \(stopLSN)): "
    expected += "segment \(damaged) (\(path)) is damaged at \(breakLSN): record checksum (CRC-32C) "
    expected += "mismatch; PostgreSQL's replay ends at the last valid record before it and would fail "
    expected += "with \"recovery ended before configured recovery target was reached\"\n"
    #expect(output.contains(expected), "\(output)")
    #expect(
      output.contains(
        "note: replace \(path) with an intact copy of segment \(damaged) (from the source's "
          + "pg_wal or another archive) and validate again, or target a point before \(breakLSN)\n"),
      "\(output)")
    #expect(
      output.contains("note: what is left is the restorable window of backup backup_db on timeline 1, "), "\(output)")
    #expect(output.contains(" to \(breakLSN); "), "\(output)")
  }
}
