import PostgresVocabulary
import Testing

@Suite struct WALFileNameTests {
  @Test(arguments: [
    ("000000010000000000000002", nil, false),
    ("000000010000000000000002.partial", nil, true),
    ("000000010000000000000002.gz", WALFileCompression.gzip, false),
    ("000000010000000000000002.gz.partial", .gzip, true),
    ("000000010000000000000002.partial.gz", .gzip, true),
    ("000000010000000000000002.lz4", .lz4, false),
    ("000000010000000000000002.lz4.partial", .lz4, true),
    ("000000010000000000000002.zst", .zstd, false),
    ("000000010000000000000002.bz2", .bzip2, false),
    ("000000010000000000000002.xz", .xz, false),
  ])
  func readsSegmentFiles(text: String, compression: WALFileCompression?, isPartial: Bool)
    throws
  {
    let name = try #require(WALFileName(text))
    #expect(name.kind == .segment(try #require(WALSegmentName("000000010000000000000002"))))
    #expect(name.compression == compression)
    #expect(name.isPartial == isPartial)
    #expect(name.baseName == "000000010000000000000002")
    #expect(name.description == text)
  }

  @Test(arguments: ["00000002.history", "00000002.history.gz", "0000000A.history.zst"])
  func readsTimelineHistoryFiles(text: String) throws {
    let name = try #require(WALFileName(text))
    guard case .timelineHistory(let timeline) = name.kind else {
      Issue.record("not read as a history file: \(name.kind)")
      return
    }
    #expect(timeline.fileNamePart == String(text.prefix(8)))
    #expect(!name.isPartial)
    #expect(name.description == text)
  }

  @Test func readsBackupHistoryFiles() throws {
    let name = try #require(WALFileName("00000001000000000000000D.00000060.backup"))
    let segment = try #require(WALSegmentName("00000001000000000000000D"))
    #expect(name.kind == .backupHistory(segment, startOffset: 0x60))
    #expect(name.backupStartLSN(size: .sixteenMiB) == LSN("0/D000060"))
    #expect(name.description == "00000001000000000000000D.00000060.backup")
    let compressed = try #require(WALFileName("00000001000000000000000D.00000060.backup.gz"))
    #expect(compressed.compression == .gzip)
    #expect(compressed.baseName == "00000001000000000000000D.00000060.backup")
  }

  @Test(arguments: [
    "", ".", "archive_status", "RECOVERYXLOG", "RECOVERYHISTORY", "xlogtemp.123",
    "00000001000000000000000a", "0000000100000000000000020", "00000001000000000000002",
    "000000010000000000000002.", "000000010000000000000002.tmp", "000000010000000000000002.GZ",
    "000000010000000000000002.gz.gz", "000000010000000000000002.partial.partial",
    "000000010000000000000002.ready", "00000002.history.partial", "0000002.history",
    "0000000g.history", "00000002.History", "00000002", "000000010000000000000002.history",
    "00000001000000000000000D.00000060.backup.partial", "00000001000000000000000D.0000060.backup",
    "00000001000000000000000D.00000060.backupx", "00000001000000000000000D.backup",
    "00000001000000000000000D.0000006x.backup",
  ])
  func refusesOtherFiles(text: String) {
    #expect(WALFileName(text) == nil)
  }

  @Test func buildsNamesWithReceivewalSuffixOrder() throws {
    let segment = try #require(WALSegmentName("000000010000000000000002"))
    let name = WALFileName(.segment(segment), compression: .gzip, isPartial: true)
    #expect(name.description == "000000010000000000000002.gz.partial")
    #expect(WALFileName(name.description) == name)
    let history = WALFileName(.timelineHistory(TimelineID(2)), isPartial: true)
    #expect(history.description == "00000002.history")
    #expect(history.segment == nil)
    #expect(name.segment == segment)
  }
}
