import Catalog
import Foundation
import PostgresVocabulary
import Testing

@Suite struct BackupLabelTests {
  /// The [V15] backup_label of FORMATS.md §6.1.
  static let v15 = """
    START WAL LOCATION: 0/2000028 (file 000000010000000000000002)
    CHECKPOINT LOCATION: 0/2000060
    BACKUP METHOD: streamed
    BACKUP FROM: primary
    START TIME: 2026-11-22 15:32:56 UTC
    LABEL: bb tar
    START TIMELINE: 1

    """

  static func message(_ text: String) -> String? {
    formatErrorMessage { try BackupLabel(parsing: text) }
  }

  @Test func readsTheV15Example() throws {
    let label = try BackupLabel(parsing: Self.v15)
    #expect(label.startLSN == LSN("0/2000028"))
    #expect(label.startSegment == WALSegmentName("000000010000000000000002"))
    #expect(label.checkpointLSN == LSN("0/2000060"))
    #expect(label.method == "streamed")
    #expect(label.source == .primary)
    #expect(label.startTime?.text == "2026-11-22 15:32:56 UTC")
    #expect(label.startTime?.date == Date(timeIntervalSince1970: 1_795_361_576))
    #expect(label.label == "bb tar")
    #expect(label.startTimeline == TimelineID(1))
    #expect(label.incrementalFrom == nil)
  }

  @Test(arguments: [
    ("master", BackupLabel.Source.primary), ("primary", .primary), ("standby", .standby),
  ])
  func readsBackupFrom(value: String, source: BackupLabel.Source) throws {
    let text = Self.v15.replacingOccurrences(
      of: "BACKUP FROM: primary", with: "BACKUP FROM: \(value)")
    #expect(try BackupLabel(parsing: text).source == source)
  }

  @Test func readsIncrementalLines() throws {
    let text = Self.v15 + "INCREMENTAL FROM LSN: 0/1000028\nINCREMENTAL FROM TLI: 1\n"
    let label = try BackupLabel(parsing: text)
    #expect(
      label.incrementalFrom
        == BackupLabel.IncrementalBase(lsn: LSN("0/1000028")!, timeline: TimelineID(1)))
  }

  @Test func needsOnlyTheLinesRecoveryNeeds() throws {
    let text = """
      START WAL LOCATION: 0/9000028 (file 000000030000000000000009)
      CHECKPOINT LOCATION: 0/9000060
      """
    let label = try BackupLabel(parsing: text)
    #expect(label.startTimeline == TimelineID(3))
    #expect(label.source == .primary)
    #expect(label.method == nil)
    #expect(label.startTime == nil)
    #expect(label.label == nil)
  }

  @Test func ignoresUnknownLinesAndToleratesCRLF() throws {
    let text =
      "SOMETHING NEW: 42\r\n" + Self.v15.replacingOccurrences(of: "\n", with: "\r\n")
      + "no colon here\r\n"
    let label = try BackupLabel(parsing: text)
    #expect(label.label == "bb tar")
    #expect(label.startTimeline == TimelineID(1))
  }

  @Test func keepsColonsInsideTheLabel() throws {
    let text = Self.v15.replacingOccurrences(of: "LABEL: bb tar", with: "LABEL: nightly: 02:00")
    #expect(try BackupLabel(parsing: text).label == "nightly: 02:00")
  }

  @Test(arguments: [
    ("START WAL LOCATION", "backup_label: missing 'START WAL LOCATION' line"),
    ("CHECKPOINT LOCATION", "backup_label: missing 'CHECKPOINT LOCATION' line"),
  ])
  func reportsMissingRequiredLines(key: String, message: String) {
    let text = Self.v15.split(separator: "\n").filter { !$0.hasPrefix(key) }.joined(separator: "\n")
    #expect(Self.message(text) == message)
  }

  @Test(arguments: [
    (
      "START WAL LOCATION: 0/2000028 (file 000000010000000000000002)",
      "START WAL LOCATION: 0/2000028",
      "backup_label: line 1: cannot read 'START WAL LOCATION' value '0/2000028'; expected an LSN "
        + "and a WAL file name, as in '0/2000028 (file 000000010000000000000002)'"
    ),
    (
      "(file 000000010000000000000002)", "(file 00000001000000000000002)",
      "backup_label: line 1: cannot read 'START WAL LOCATION' value '0/2000028 (file "
        + "00000001000000000000002)'; expected an LSN and a WAL file name, as in '0/2000028 (file "
        + "000000010000000000000002)'"
    ),
    (
      "CHECKPOINT LOCATION: 0/2000060", "CHECKPOINT LOCATION: 2000060",
      "backup_label: line 2: cannot read 'CHECKPOINT LOCATION' value '2000060'; expected an LSN "
        + "such as 0/2000060"
    ),
    (
      "BACKUP FROM: primary", "BACKUP FROM: replica",
      "backup_label: line 4: cannot read 'BACKUP FROM' value 'replica'; expected 'primary' or "
        + "'standby'"
    ),
    (
      "START TIMELINE: 1", "START TIMELINE: 2",
      "backup_label: line 7: cannot read 'START TIMELINE' value '2'; expected the timeline of the "
        + "start file, 1"
    ),
    (
      "START TIMELINE: 1", "START TIMELINE: one",
      "backup_label: line 7: cannot read 'START TIMELINE' value 'one'; expected the timeline of "
        + "the start file, 1"
    ),
  ])
  func reportsUnreadableValues(original: String, replacement: String, message: String) {
    let text = Self.v15.replacingOccurrences(of: original, with: replacement)
    #expect(Self.message(text) == message)
  }

  @Test func needsBothIncrementalLines() {
    #expect(
      Self.message(Self.v15 + "INCREMENTAL FROM LSN: 0/1000028\n")
        == "backup_label: missing 'INCREMENTAL FROM TLI' line")
    #expect(
      Self.message(Self.v15 + "INCREMENTAL FROM TLI: 1\n")
        == "backup_label: missing 'INCREMENTAL FROM LSN' line")
  }

  @Test(arguments: ["", "\n\n", "garbage", "START WAL LOCATION:", "\u{0}\u{1}\u{FFFD}"])
  func refusesGarbage(text: String) {
    #expect(throws: CatalogFormatError.self) { try BackupLabel(parsing: text) }
  }
}
