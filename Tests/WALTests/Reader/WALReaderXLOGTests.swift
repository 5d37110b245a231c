import PostgresVocabulary
import Testing
import _PITRTestSupport

/// XLOG records decoded from synthetic WAL of every version (FORMATS.md §4.3).
@Suite struct WALReaderXLOGTests {
  static let versions = Array(13...19)

  static func single(major: Int, _ record: WALRecordSpec) throws -> SeenRecord {
    var wal = WALSegmentBuilder(major: major)
    wal.append(.filler(totalLength: 100))
    let lsn = wal.append(record)
    let outcome = try WALReadOutcome.read(wal)
    #expect(outcome.lsns == wal.records.map(\.lsn))
    let seen = try #require(outcome.records.last)
    #expect(seen.lsn == lsn)
    #expect(seen.resourceManager == 0)
    #expect(outcome.records.first?.event == nil)  // the NOOP filler
    return seen
  }

  @Test(arguments: versions)
  func restorePointReadsUpToTheNUL(major: Int) throws {
    let record = try Self.single(
      major: major, .restorePoint(name: "before-migration", time: sampleTime, garbage: 0x41))
    #expect(record.info == 0x70)
    #expect(record.length == 24 + 2 + 72)
    let point = try #require(record.event?.restorePoint)
    #expect(point.name == "before-migration")
    #expect(point.time == sampleTime)
  }

  @Test func restorePointOfTheLongestAndShortestNames() throws {
    let long = String(repeating: "n", count: 63)
    let record = try Self.single(major: 16, .restorePoint(name: long, time: sampleTime))
    #expect(record.event?.restorePoint?.name == long)
    let empty = try Self.single(major: 16, .restorePoint(name: "", time: sampleTime))
    #expect(empty.event?.restorePoint?.name == "")
  }

  @Test(arguments: versions, [false, true])
  func checkpoint(major: Int, online: Bool) throws {
    let record = try Self.single(
      major: major,
      .checkpoint(
        online: online, redo: LSN(rawValue: 0x1_0000_0028), timeline: TimelineID(3),
        previousTimeline: TimelineID(2), unixTime: 1_795_000_000, walLevel: 2))
    #expect(record.info == (online ? 0x10 : 0x00))
    #expect(record.length == 24 + 2 + (major >= 19 ? 96 : 88))
    let checkpoint = try #require(record.event?.checkpoint)
    #expect(checkpoint.online == online)
    #expect(checkpoint.redo == LSN(rawValue: 0x1_0000_0028))
    #expect(checkpoint.timeline == TimelineID(3))
    #expect(checkpoint.previousTimeline == TimelineID(2))
    #expect(checkpoint.unixTime == 1_795_000_000)
  }

  @Test(arguments: versions)
  func backupEnd(major: Int) throws {
    let record = try Self.single(major: major, .backupEnd(start: LSN(rawValue: 0xD00_0060)))
    #expect(record.info == 0x50)
    #expect(record.event == .backupEnd(start: LSN(rawValue: 0xD00_0060)))
  }

  @Test(arguments: versions)
  func endOfRecovery(major: Int) throws {
    let record = try Self.single(
      major: major,
      .endOfRecovery(time: sampleTime, timeline: TimelineID(2), previousTimeline: TimelineID(1)))
    #expect(record.info == 0x90)
    #expect(record.length == 24 + 2 + (major >= 17 ? 24 : 16))
    let end = try #require(record.event?.endOfRecovery)
    #expect(end.time == sampleTime)
    #expect(end.timeline == TimelineID(2))
    #expect(end.previousTimeline == TimelineID(1))
  }

  @Test(arguments: versions)
  func switchIsTwentyFourBytes(major: Int) throws {
    var wal = WALSegmentBuilder(major: major)
    let lsn = wal.append(.switchSegment())
    let outcome = try WALReadOutcome.read(wal)
    #expect(outcome.records.map(\.length) == [24])
    #expect(outcome.records.first?.event == .switchSegment)
    #expect(outcome.records.first?.lsn == lsn)
    // Nothing after the switch: the next segment is not there.
    let next = wal.segmentFiles()[0].name.advanced(by: 1, size: wal.segmentSize)
    #expect(outcome.end.reason == .missingSegment(try #require(next)))
    #expect(outcome.end.lsn == LSN(rawValue: 2 << 20))
  }

  @Test func otherXLOGRecordsDecodeToNothing() throws {
    let overwrite = try Self.single(
      major: 15, .overwriteContinuation(of: LSN(rawValue: 0x10_1FF8), time: sampleTime))
    #expect(overwrite.info == 0xD0)
    #expect(overwrite.event == nil)
    let noop = try Self.single(major: 15, .noop([1, 2, 3]))
    #expect(noop.event == nil)
  }
}
