import Foundation
import Testing
import _PITRTestSupport

/// The lab itself: failures leave nothing behind, the dated archive follows the day it is
/// told, and a restore can end in a shutdown at its target.
@Suite(.tags(.integration), .enabled(if: PostgresLab.isAvailable))
struct PostgresLabTests {
  @Test(.timeLimit(.minutes(3)))
  func aServerThatCannotStartLeavesNothingBehind() throws {
    let name = "cannot-start-\(UUID().uuidString.prefix(8))"
    #expect {
      try PostgresLab(name: name, archive: .plainFlat, settings: ["shared_buffers": "lots"])
    } throws: { error in
      // The error carries the end of the server's log, which names the bad setting.
      "\(error)".contains("shared_buffers")
    }
    let parent = PostgresLab.parentDirectory ?? FileManager.default.temporaryDirectory.path
    let left = try FileManager.default.contentsOfDirectory(atPath: parent)
    #expect(!left.contains { $0.contains(name) }, "\(left)")
  }

  @Test(.timeLimit(.minutes(3)))
  func theDatedArchiveFilesIntoTheDayItIsTold() throws {
    let lab = try PostgresLab(name: "dated-days", archive: .gzipDated)
    defer { lab.removeExpectingNothingRunning() }
    #expect(lab.servers.count == 1 && lab.primary.isRunning)
    let backup = try lab.baseBackup(
      into: "2025/07/01", format: .tar(compression: .clientGzip), wal: .fetch, label: "days")
    #expect(
      Set(try FileManager.default.contentsOfDirectory(atPath: backup))
        == ["backup_manifest", "base.tar.gz"])

    try lab.archive.setDay("2025-07-02")
    #expect(lab.archive.currentDay() == "2025-07-02")
    try lab.sql("CREATE TABLE day_two (id int)")
    let switched = try lab.switchWAL()
    let name = try lab.sql("SELECT pg_walfile_name('\(switched)')")
    #expect(lab.archive.path(of: name) == "\(lab.archiveDirectory)/2025-07-02/\(name).gz")
    try lab.archive.setDay(nil)
    #expect(lab.archive.dayFolders().count == 2)
    #expect(lab.archive.dayFolders().contains("2025-07-02"))

    // recovery_target = 'immediate' with shutdown: the server stops once consistent.
    let restored = try lab.restore(
      backup: backup,
      recovery: ["recovery_target": "immediate", "recovery_target_action": "shutdown"],
      archiveIntoSameArchive: false)
    #expect(!restored.isRunning)
    #expect(restored.log().contains("recovery stopping after reaching consistency"))
    #expect(lab.servers.count == 2)
  }
}
