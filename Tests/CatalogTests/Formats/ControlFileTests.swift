import Catalog
import Foundation
import PostgresVocabulary
import Testing
import WAL
import _PITRTestSupport

@Suite struct ControlFileTests {
  static func message(_ bytes: [UInt8]) -> String? {
    formatErrorMessage { try ControlFile(parsing: bytes) }
  }

  @Test func readsEveryField() throws {
    let control = try ControlFile(parsing: ControlFileFixture().sealed())
    #expect(control.systemIdentifier == 7_711_019_213_718_305_796)
    #expect(control.controlVersion == 1300)
    #expect(control.catalogVersion == 202_209_061)
    #expect(control.majorVersion == PostgreSQLMajorVersion(15))
    #expect(control.state == .inProduction)
    #expect(control.state.description == "in production")
    #expect(control.time == Date(timeIntervalSince1970: 1_795_361_576))
    #expect(control.checkpointLSN == LSN("0/2000060"))
    #expect(control.checkpoint.redo == LSN("0/2000028"))
    #expect(control.checkpoint.timeline == TimelineID(2))
    #expect(control.checkpoint.previousTimeline == TimelineID(1))
    #expect(control.checkpoint.fullPageWrites)
    #expect(control.checkpoint.nextTransactionIDText == "1:735")
    #expect(control.checkpoint.nextOID == 16_390)
    #expect(control.checkpoint.time == Date(timeIntervalSince1970: 1_795_361_570))
    #expect(control.minRecoveryPoint == LSN("0/3000000"))
    #expect(control.minRecoveryPointTimeline == TimelineID(2))
    #expect(control.backupStartPoint == LSN("0/2000028"))
    #expect(control.backupEndPoint == LSN("0/2000100"))
    #expect(control.backupEndRequired)
    #expect(control.walLevel == .logical)
    #expect(control.walLogHints)
    #expect(control.maxConnections == 120)
    #expect(control.maxWorkerProcesses == 9)
    #expect(control.maxWALSenders == 11)
    #expect(control.maxPreparedTransactions == 5)
    #expect(control.maxLocksPerTransaction == 70)
    #expect(control.trackCommitTimestamp)
    #expect(control.maxAlign == 8)
    #expect(control.floatFormat == 1_234_567.0)
    #expect(control.blockSize == 8192)
    #expect(control.relationSegmentSize == 131_072)
    #expect(control.walBlockSize == 8192)
    #expect(control.walSegmentSize == WALSegmentSize(rawValue: 64 << 20))
    #expect(control.dataChecksumVersion == 1)
  }

  /// PostgreSQL 19 (control version 1902) moved every field after the CheckPoint copy.
  @Test func readsPostgreSQL19() throws {
    let control = try ControlFile(parsing: ControlFileFixture.postgres19().sealed())
    #expect(control.controlVersion == 1902)
    #expect(control.majorVersion == PostgreSQLMajorVersion(19))
    #expect(control.checkpointLSN == LSN("0/2000060"))
    #expect(control.checkpoint.redo == LSN("0/2000028"))
    #expect(control.checkpoint.timeline == TimelineID(2))
    #expect(control.checkpoint.previousTimeline == TimelineID(1))
    #expect(control.checkpoint.nextTransactionIDText == "1:735")
    #expect(control.checkpoint.nextOID == 16_390)
    #expect(control.checkpoint.time == Date(timeIntervalSince1970: 1_795_361_570))
    #expect(control.minRecoveryPoint == LSN("0/3000000"))
    #expect(control.minRecoveryPointTimeline == TimelineID(2))
    #expect(control.backupStartPoint == LSN("0/2000028"))
    #expect(control.backupEndPoint == LSN("0/2000100"))
    #expect(control.backupEndRequired)
    #expect(control.walLevel == .logical)
    #expect(control.walLogHints)
    #expect(
      [
        control.maxConnections, control.maxWorkerProcesses, control.maxWALSenders,
        control.maxPreparedTransactions, control.maxLocksPerTransaction,
      ] == [120, 9, 11, 5, 70])
    #expect(control.trackCommitTimestamp)
    #expect(control.blockSize == 8192)
    #expect(control.relationSegmentSize == 131_072)
    #expect(control.walBlockSize == 8192)
    #expect(control.walSegmentSize == WALSegmentSize(rawValue: 64 << 20))
    #expect(control.dataChecksumVersion == 1)
    // Read with 18's layout, the CRC would be looked for at 292.
    var misplaced = ControlFileFixture.postgres19()
    misplaced.crcOffset = 292
    #expect(Self.message(misplaced.sealed())?.hasPrefix("pg_control CRC mismatch") == true)
  }

  /// 19's development formats (1900, 1901) and anything newer are refused with their number.
  @Test(arguments: [1900 as UInt32, 1901, 2000])
  func refusesAControlVersionItDoesNotKnow(control: UInt32) {
    var fixture = ControlFileFixture.postgres19()
    fixture.set(control, at: 8)
    #expect(
      Self.message(fixture.sealed())
        == "pg_control: pg_control version \(control) with catalog version 202605131 is not a "
        + "PostgreSQL release pitr reads (13 to 19)")
  }

  @Test(arguments: [
    (1300 as UInt32, 202_007_201 as UInt32, 13), (1300, 202_307_071, 16),
    (1700, 202_406_281, 17), (1800, 202_506_291, 18),
  ])
  func findsTheCRCWhereEachReleaseKeepsIt(control: UInt32, catalog: UInt32, major: Int) throws {
    let fixture = ControlFileFixture(controlVersion: control, catalogVersion: catalog)
    #expect(try ControlFile(parsing: fixture.sealed()).majorVersion.rawValue == major)
    var misplaced = fixture
    misplaced.crcOffset = control >= 1800 ? 288 : 292
    #expect(throws: CatalogFormatError.self) { try ControlFile(parsing: misplaced.sealed()) }
  }

  @Test func reportsACRCMismatchWithBothValues() {
    var bytes = ControlFileFixture().sealed()
    bytes[288..<292] = [0x4D, 0x3C, 0x2B, 0x1A]
    let computed = CRC32C.checksum(bytes[..<288])
    let hex = String(computed, radix: 16, uppercase: true)
    let padded = String(repeating: "0", count: 8 - hex.count) + hex
    #expect(
      Self.message(bytes) == "pg_control CRC mismatch: stored 0x1A2B3C4D, computed 0x\(padded)")
    var flipped = ControlFileFixture().sealed()
    flipped[180] ^= 0x01
    #expect(Self.message(flipped)?.hasPrefix("pg_control CRC mismatch: stored 0x") == true)
  }

  @Test func refusesShortFiles() {
    #expect(
      Self.message(Array(ControlFileFixture().sealed().prefix(100)))
        == "pg_control: the file is 100 bytes long; it must be at least 296")
    #expect(Self.message([]) == "pg_control: the file is 0 bytes long; it must be at least 296")
  }

  @Test func refusesOtherPlatforms() {
    var align = ControlFileFixture()
    align.set(UInt32(4), at: 204)
    #expect(
      Self.message(align.sealed())
        == "pg_control: not a little-endian 64-bit cluster (maximum alignment 4; pitr needs 8 "
        + "and 1234567.0)")
    var float = ControlFileFixture()
    float.set(1_234_567.0.bitPattern.byteSwapped, at: 208)
    #expect(
      Self.message(float.sealed())?.hasPrefix("pg_control: not a little-endian 64-bit cluster")
        == true)
    var bigEndian = ControlFileFixture()
    bigEndian.set(UInt32(1300).byteSwapped, at: 8)
    #expect(
      Self.message(bigEndian.sealed())
        == "pg_control: not a little-endian 64-bit cluster (the file is big-endian)")
  }

  @Test func refusesUnknownVersions() {
    let fixture = ControlFileFixture(controlVersion: 1201, catalogVersion: 201_909_212)
    #expect(
      Self.message(fixture.sealed())
        == "pg_control: pg_control version 1201 with catalog version 201909212 is not a "
        + "PostgreSQL release pitr reads (13 to 19)")
  }

  @Test func refusesImpossibleSegmentSizes() {
    var fixture = ControlFileFixture()
    fixture.set(UInt32(3 << 20), at: 228)
    #expect(
      Self.message(fixture.sealed())
        == "pg_control: cannot read 'xlog_seg_size' value '3145728'; expected a power of two "
        + "from 1 MiB to 1 GiB")
  }

  @Test func neverCrashesOnGarbage() {
    var generator = SystemRandomNumberGenerator()
    for size in [0, 1, 295, 296, 297, 8192] {
      let bytes = (0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) }
      #expect(throws: CatalogFormatError.self) { try ControlFile(parsing: bytes) }
    }
    #expect(throws: CatalogFormatError.self) {
      try ControlFile(parsing: [UInt8](repeating: 0, count: 8192))
    }
  }

  @Test func describesStatesAndLevelsAsPgControldataDoes() {
    #expect(ControlFile.State.shutDown.description == "shut down")
    #expect(ControlFile.State.shutDownInRecovery.description == "shut down in recovery")
    #expect(ControlFile.WALLevel.replica.description == "replica")
  }
}
