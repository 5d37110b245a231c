import Catalog
import Foundation
import PlanModel
import PostgresVocabulary
import Testing
import _PITRTestSupport

@Suite struct BackupDiscoveryTests {
  @Test func backupsAreFoundAtAnyDepthAndReadWithoutExtracting() throws {
    let fixture = try RepositoryFixture()
    defer { fixture.remove() }
    try fixture.writeBackup(.init(id: "2025/07/01", includedSegments: ["000000010000000000000002"]))
    try fixture.writeBackup(
      .init(id: "2025/07/02", start: "0/400028", checkpoint: "0/400060", format: .tar(gzip: false)))
    try fixture.writeBackup(
      .init(id: "manual/plain", start: "0/600028", checkpoint: "0/600060", format: .plain))
    let catalog = fixture.scan()
    #expect(catalog.backups.map(\.id) == ["2025/07/01", "2025/07/02", "manual/plain"])
    #expect(catalog.backups.map(\.format) == [.tar, .tar, .plain])
    #expect(catalog.backups.map(\.compression) == ["gzip", "none", "none"])
    let first = catalog.backups[0]
    #expect(first.label.startLSN == LSN("0/200028"))
    #expect(first.label.checkpointLSN == LSN("0/200060"))
    #expect(first.label.startTimeline == TimelineID(1))
    #expect(first.label.startTime == "2025-07-01 02:00:00+00")
    #expect(first.label.startTimeAsWritten == "2025-07-01 02:00:00 UTC")
    #expect(first.label.startTimeZoneUnknown == nil)
    #expect(first.pgVersion == 15)
    #expect(first.timezone == "America/Phoenix")
    #expect(first.control?.systemIdentifier == RepositoryFixture.systemIdentifier)
    #expect(first.control?.maxConnections == 120)
    #expect(first.control?.maxWorkerProcesses == 9)
    #expect(first.control?.maxWALSenders == 11)
    #expect(first.control?.maxPreparedTransactions == 5)
    #expect(first.control?.maxLocksPerTransaction == 70)
    #expect(first.includedSegments == [WALSegmentName("000000010000000000000002")!])
    #expect(first.files.map(\.role) == [.manifest, .base, .wal])
    guard case .verified(let manifest) = first.manifest else {
      Issue.record("manifest not verified: \(first.manifest)")
      return
    }
    #expect(manifest.fileCount == 7)
    // What extraction writes: the manifest's files and the 4 KiB segment of pg_wal.tar,
    // which the manifest does not list.
    #expect(first.expandedSize == manifest.totalSize + 4096)
    // Without a .backup file, the manifest's WAL range gives the end.
    #expect(first.stop?.lsn == LSN("0/200100"))
    #expect(first.stop?.source == .manifest)
    #expect(catalog.diagnostics.isEmpty, "\(catalog.diagnostics)")
  }

  @Test func theBaseFolderItselfCanBeTheBackup() throws {
    let fixture = try RepositoryFixture()
    defer { fixture.remove() }
    try fixture.writeBackup(.init(id: ".", format: .plain))
    #expect(fixture.scan().backups.map(\.id) == ["."])
  }

  @Test func autoConfTimezoneWinsAndNoneIsNil() throws {
    let fixture = try RepositoryFixture()
    defer { fixture.remove() }
    try fixture.writeBackup(.init(id: "a", autoTimezone: "Europe/Madrid"))
    try fixture.writeBackup(.init(id: "b", start: "0/400028", checkpoint: "0/400060", timezone: nil))
    #expect(fixture.scan().backups.map(\.timezone) == ["Europe/Madrid", nil])
  }

  @Test func backupHistoryFileGivesStopLocationAndTime() throws {
    let fixture = try RepositoryFixture()
    defer { fixture.remove() }
    try fixture.writeBackup(.init(id: "b", manifest: false))
    try fixture.writeBackupHistory(start: "0/200028", stop: "0/200138")
    let backup = try #require(fixture.scan().backups.first)
    #expect(backup.stop?.lsn == LSN("0/200138"))
    #expect(backup.stop?.time == "2025-07-01 02:03:00+00")
    #expect(backup.stop?.timeAsWritten == "2025-07-01 02:03:00 UTC")
    #expect(backup.stop?.source == .backupHistoryFile)
    #expect(backup.manifest == .missing)
  }

  @Test(arguments: [
    (
      "America/Phoenix", "2026-12-04 11:41:50 MST", "2026-12-04 11:44:10 MST",
      "2026-12-04 11:41:50-07", "2026-12-04 11:44:10-07"
    ),
    (
      "Europe/Berlin", "2026-12-04 19:41:50 CET", "2026-12-04 19:44:10 CET",
      "2026-12-04 19:41:50+01", "2026-12-04 19:44:10+01"
    ),
    (
      "America/New_York", "2026-12-04 13:41:50 EST", "2026-12-04 13:44:10 EST",
      "2026-12-04 13:41:50-05", "2026-12-04 13:44:10-05"
    ),
    (
      "Asia/Kolkata", "2026-12-04 23:11:50 +0530", "2026-12-04 23:14:10 +0530",
      "2026-12-04 23:11:50+05:30", "2026-12-04 23:14:10+05:30"
    ),
    (
      "UTC", "2026-12-04 18:41:50 UTC", "2026-12-04 18:44:10 UTC",
      "2026-12-04 18:41:50+00", "2026-12-04 18:44:10+00"
    ),
  ])
  func startAndStopTimesAreReadInTheBackupsLogTimezone(
    zone: String, start: String, stop: String, printedStart: String, printedStop: String
  ) throws {
    let fixture = try RepositoryFixture()
    defer { fixture.remove() }
    try fixture.writeBackup(.init(id: "b", logTimezone: zone, startTime: start, manifest: false))
    try fixture.writeBackupHistory(start: "0/200028", stop: "0/200138", startTime: start, stopTime: stop)
    let backup = try #require(fixture.scan().backups.first)
    #expect(backup.logTimezone == zone)
    #expect(backup.label.startTime == printedStart)
    #expect(backup.label.startTimeAsWritten == start)
    #expect(backup.label.startTimeZoneUnknown == nil)
    #expect(backup.stop?.time == printedStop)
    #expect(backup.stop?.timeAsWritten == stop)
    #expect(backup.stop?.timeZoneUnknown == nil)
    #expect(backup.startTimeDescription == printedStart)
    #expect(backup.stopTimeDescription == printedStop)
  }

  @Test func anAbbreviationWithoutLogTimezoneIsKeptAsWritten() throws {
    let fixture = try RepositoryFixture()
    defer { fixture.remove() }
    try fixture.writeBackup(.init(id: "b", startTime: "2026-12-04 19:41:50 CET", manifest: false))
    try fixture.writeBackupHistory(
      start: "0/200028", stop: "0/200138", startTime: "2026-12-04 19:41:50 CET",
      stopTime: "2026-12-04 19:44:10 CET")
    let backup = try #require(fixture.scan().backups.first)
    #expect(backup.logTimezone == nil)
    #expect(backup.label.startTime == "2026-12-04 19:41:50 CET")
    #expect(backup.label.startTimeZoneUnknown == true)
    #expect(backup.stop?.time == "2026-12-04 19:44:10 CET")
    #expect(backup.stop?.timeZoneUnknown == true)
    #expect(backup.startTimeDescription == "2026-12-04 19:41:50 CET (zone unknown)")
    #expect(backup.stopTimeDescription == "2026-12-04 19:44:10 CET (zone unknown)")
  }

  @Test func corruptManifestIsReportedAndTheBackupKept() throws {
    let fixture = try RepositoryFixture()
    defer { fixture.remove() }
    let folder = try fixture.writeBackup(.init(id: "b"))
    let text = try String(contentsOfFile: "\(folder)/backup_manifest", encoding: .utf8)
    try fixture.write(
      Array(text.replacing("\"PG_VERSION\"", with: "\"PG_VERSIOM\"").utf8),
      to: "\(folder)/backup_manifest")
    let catalog = fixture.scan()
    #expect(catalog.backups.count == 1)
    guard case .invalid = catalog.backups[0].manifest else {
      Issue.record("expected an invalid manifest")
      return
    }
    let diagnostic = try #require(catalog.diagnostics.first { $0.location?.file.hasSuffix("backup_manifest") == true })
    #expect(diagnostic.severity == .error)
    #expect(diagnostic.message.hasPrefix("backup_manifest checksum mismatch"))
  }

  @Test func truncatedGzipBaseIsADiagnosticNamingTheFile() throws {
    let fixture = try RepositoryFixture()
    defer { fixture.remove() }
    let folder = try fixture.writeBackup(.init(id: "broken"))
    try fixture.writeBackup(.init(id: "good", start: "0/400028", checkpoint: "0/400060"))
    let path = "\(folder)/base.tar.gz"
    let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    try fixture.write(Array(bytes.prefix(bytes.count / 2)), to: path)
    let catalog = fixture.scan()
    #expect(catalog.backups.map(\.id) == ["good"])
    let diagnostic = try #require(catalog.diagnostics.first)
    #expect(diagnostic.location == .file(path))
    #expect(diagnostic.message.contains("gzip stream truncated"))
  }

  @Test func badTarChecksumAndBadControlCRCAreReported() throws {
    let fixture = try RepositoryFixture()
    defer { fixture.remove() }
    let tarFolder = try fixture.writeBackup(.init(id: "tar", format: .tar(gzip: false)))
    var tar = Array(try Data(contentsOf: URL(fileURLWithPath: "\(tarFolder)/base.tar")))
    tar[0] ^= 0x20  // the first header's name: its checksum no longer matches
    try fixture.write(tar, to: "\(tarFolder)/base.tar")
    var control = ControlFileFixture()
    control.crcOffset = 288
    let plainFolder = try fixture.writeBackup(
      .init(id: "plain", start: "0/400028", checkpoint: "0/400060", format: .plain))
    var controlBytes = control.sealed()
    controlBytes[100] ^= 0xFF
    try fixture.write(controlBytes, to: "\(plainFolder)/global/pg_control")
    let catalog = fixture.scan()
    #expect(catalog.backups.map(\.id) == ["plain"])
    #expect(catalog.backups.first?.control == nil)
    let messages = catalog.diagnostics.map { "\($0.location?.file ?? ""): \($0.message)" }
    #expect(messages.contains { $0.hasPrefix("\(tarFolder)/base.tar: tar header checksum mismatch") })
    #expect(messages.contains { $0.hasPrefix("\(plainFolder)/global/pg_control: pg_control CRC mismatch") })
  }

  @Test func folderWithoutBackupsSaysSo() throws {
    let fixture = try RepositoryFixture()
    defer { fixture.remove() }
    let catalog = fixture.scan()
    #expect(catalog.backups.isEmpty)
    #expect(
      catalog.diagnostics.map(\.message)
        == ["no base backup here (a folder with backup_manifest, base.tar[.gz] or backup_label)"])
  }
}
