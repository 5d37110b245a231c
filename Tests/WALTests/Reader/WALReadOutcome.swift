import PostgresVocabulary
import WAL
import _PITRTestSupport

/// Everything one read delivered, and why it stopped.
struct WALReadOutcome {
  var records: [SeenRecord]
  var end: EndOfWAL

  var lsns: [LSN] { records.map(\.lsn) }
  var events: [WALEvent?] { records.map(\.event) }

  /// Reads segments held in memory.
  static func read(_ files: [(name: WALSegmentName, bytes: [UInt8])]) throws -> WALReadOutcome {
    try read(provider: WALMemorySegments(files))
  }

  /// Reads what a builder wrote.
  static func read(_ builder: WALSegmentBuilder) throws -> WALReadOutcome {
    try read(builder.segmentFiles())
  }

  /// Reads segment files from disk.
  static func read(files: [(name: WALSegmentName, path: String)]) throws -> WALReadOutcome {
    try read(provider: WALFileList(files: files))
  }

  static func read(provider: some WALSegmentProvider) throws -> WALReadOutcome {
    var records: [SeenRecord] = []
    let reader = WALReader(provider: provider)
    let end = try reader.read { record in
      records.append(
        SeenRecord(
          lsn: record.lsn, nextLSN: record.nextLSN, transactionID: record.transactionID,
          resourceManager: record.resourceManager, info: record.info, timeline: record.timeline,
          length: record.length, event: record.event, bytes: Array(record.bytes)))
    }
    return WALReadOutcome(records: records, end: end)
  }
}
