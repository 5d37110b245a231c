import Catalog
import Foundation
import PostgresVocabulary
import Testing

@Suite struct BackupHistoryFileTests {
  /// The [V15] example of FORMATS.md §6.2.
  static let v15 = """
    START WAL LOCATION: 0/2000028 (file 000000010000000000000002)
    STOP WAL LOCATION: 0/2000100 (file 000000010000000000000002)
    CHECKPOINT LOCATION: 0/2000060
    BACKUP METHOD: streamed
    BACKUP FROM: primary
    START TIME: 2026-11-22 15:32:56 UTC
    LABEL: bb tar
    START TIMELINE: 1
    STOP TIME: 2026-11-22 15:32:56 UTC
    STOP TIMELINE: 1

    """

  @Test func readsTheV15Example() throws {
    let history = try BackupHistoryFile(parsing: Self.v15)
    #expect(history.backupLabel.startLSN == LSN("0/2000028"))
    #expect(history.backupLabel.checkpointLSN == LSN("0/2000060"))
    #expect(history.backupLabel.label == "bb tar")
    #expect(history.stopLSN == LSN("0/2000100"))
    #expect(history.stopSegment == WALSegmentName("000000010000000000000002"))
    #expect(history.stopTime?.text == "2026-11-22 15:32:56 UTC")
    #expect(history.stopTime?.date != nil)
    #expect(history.stopTimeline == TimelineID(1))
  }

  @Test func sharesTheBackupLabelLines() throws {
    let history = try BackupHistoryFile(parsing: Self.v15)
    #expect(history.backupLabel == (try BackupLabel(parsing: Self.v15)))
  }

  @Test func takesTheStopTimelineFromTheFileWhenTheLineIsMissing() throws {
    let text = Self.v15
      .replacingOccurrences(of: "STOP TIMELINE: 1\n", with: "")
      .replacingOccurrences(
        of: "0/2000100 (file 000000010000000000000002)",
        with: "0/3000100 (file 000000020000000000000003)")
    #expect(try BackupHistoryFile(parsing: text).stopTimeline == TimelineID(2))
  }

  static func message(_ text: String) -> String? {
    formatErrorMessage { try BackupHistoryFile(parsing: text) }
  }

  @Test func namesTheFileInErrors() {
    let text = Self.v15.replacingOccurrences(of: "STOP WAL LOCATION", with: "STOP WAL POSITION")
    #expect(Self.message(text) == "backup history file: missing 'STOP WAL LOCATION' line")
  }

  @Test(arguments: [
    (
      "STOP TIMELINE: 1", "STOP TIMELINE: 0",
      "backup history file: line 10: cannot read 'STOP TIMELINE' value '0'; expected the "
        + "timeline of the stop file, 1"
    ),
    (
      "STOP TIMELINE: 1", "STOP TIMELINE: 2",
      "backup history file: line 10: cannot read 'STOP TIMELINE' value '2'; expected the "
        + "timeline of the stop file, 1"
    ),
    (
      "STOP WAL LOCATION: 0/2000100 (file 000000010000000000000002)", "STOP WAL LOCATION: 0/x",
      "backup history file: line 2: cannot read 'STOP WAL LOCATION' value '0/x'; expected an "
        + "LSN and a WAL file name, as in '0/2000028 (file 000000010000000000000002)'"
    ),
  ])
  func reportsUnreadableStopLines(original: String, replacement: String, message: String) {
    #expect(Self.message(Self.v15.replacingOccurrences(of: original, with: replacement)) == message)
  }
}
