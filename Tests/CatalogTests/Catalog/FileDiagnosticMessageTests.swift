import Catalog
import Foundation
import PlanModel
import Testing
import _PITRTestSupport

/// The exact text of catalog diagnostics about backups and archive files: each test
/// builds the repository that provokes one message and checks its severity, file and words.
@Suite struct FileDiagnosticMessageTests {
  /// Every diagnostic, as `severity: message`, for the file it names.
  private func messages(at path: String, in catalog: Catalog) -> [String] {
    catalog.diagnostics.filter { $0.location == .file(path) }.map { "\($0.severity): \($0.message)" }
  }

  // MARK: - Catalog.swift: a backup against the archive

  @Test func backupOfAnotherMajorVersionThanTheArchive() throws {
    let fixture = try RepositoryFixture()
    defer { fixture.remove() }
    // The backup's PG_VERSION says 15; the archive's pages carry PostgreSQL 16's magic.
    let folder = try fixture.writeBackup(.init(id: "b"))
    for name in ["000000010000000000000002", "000000010000000000000003"] {
      try fixture.writeSegment(name, bytes: RepositoryFixture.segmentBytes(name, magic: 0xD113))
    }
    let catalog = fixture.scan()
    #expect(catalog.archive.majorVersion == 16)
    #expect(
      messages(at: folder, in: catalog) == [
        "error: backup b is PostgreSQL 15, but the archived WAL was written by PostgreSQL 16"
      ])
  }

  @Test func backupWithNoBackupFileAndNoManifest() throws {
    let fixture = try RepositoryFixture()
    defer { fixture.remove() }
    // No manifest, no .backup file, and a pg_control whose backupEndPoint is 0/0.
    var control = ControlFileFixture()
    control.set(UInt64(0), at: 160)
    let folder = try fixture.writeBackup(.init(id: "b", manifest: false, control: control))
    try fixture.writeSegments(timeline: 1, 2...3)
    let catalog = fixture.scan()
    #expect(catalog.backups.first?.consistentLSN == nil)
    #expect(
      messages(at: folder, in: catalog) == [
        "warning: backup b has no .backup file in the archive and no usable manifest, so where it "
          + "becomes consistent is unknown"
      ])
  }

  // MARK: - SegmentHeader.swift

  @Test func segmentCompressedWithBzip2() throws {
    let fixture = try RepositoryFixture()
    defer { fixture.remove() }
    try fixture.writeSegment("000000010000000000000001", gzip: true)
    // bzip2's magic, then anything: pitr tells the format by these bytes.
    let bzip2 = try fixture.write(
      Array("BZh9".utf8) + [UInt8](repeating: 0, count: 60),
      to: "\(fixture.wal)/000000010000000000000002")
    let catalog = fixture.scan()
    #expect(catalog.archive.segments.map(\.name.description) == ["000000010000000000000001"])
    #expect(
      messages(at: bzip2, in: catalog) == [
        "error: named like a WAL segment, but compressed with bzip2, which pitr cannot read; "
          + "decompress it or archive with gzip, zstd or lz4"
      ])
  }

  /// A `.lz4` file that decompresses to something that is not a segment.
  @Test func lz4FileThatIsNotASegment() throws {
    let fixture = try RepositoryFixture()
    defer { fixture.remove() }
    try fixture.writeSegment("000000010000000000000001", compression: .lz4)
    let notWAL = try fixture.write(
      try lz4(Array("these are not the pages you are looking for\n".utf8)),
      to: "\(fixture.wal)/000000010000000000000002.lz4")
    let catalog = fixture.scan()
    #expect(catalog.archive.segments.map(\.compression) == ["lz4"])
    #expect(
      messages(at: notWAL, in: catalog) == [
        "error: named like a WAL segment, but it does not start with a WAL segment header (too "
          + "short, or not WAL)"
      ])
  }

  /// A `.zst` segment cut short before its first page header is complete.
  @Test func truncatedZstdSegment() throws {
    let fixture = try RepositoryFixture()
    defer { fixture.remove() }
    let compressed = try zstd(RepositoryFixture.segmentBytes("000000010000000000000002"))
    let cut = try fixture.write(
      Array(compressed.prefix(8)), to: "\(fixture.wal)/000000010000000000000002.zst")
    let catalog = fixture.scan()
    #expect(catalog.archive.segments.isEmpty)
    #expect(
      messages(at: cut, in: catalog) == [
        "error: named like a WAL segment, but zstd stream truncated at byte 8 of \(cut)"
      ])
  }

  // MARK: - WALArchiveScanner.swift

  @Test func segmentSizeUnlikeTheRestOfTheArchive() throws {
    let fixture = try RepositoryFixture()
    defer { fixture.remove() }
    try fixture.writeSegments(timeline: 1, 1...2)
    var bytes = RepositoryFixture.segmentBytes("000000010000000000000003")
    bytes.replaceSubrange(32..<36, with: WALBytes.of(UInt32(2 << 20)))
    let odd = try fixture.writeSegment("000000010000000000000003", bytes: bytes)
    let catalog = fixture.scan()
    #expect(catalog.archive.segmentSize == RepositoryFixture.segmentSize)
    #expect(
      messages(at: odd, in: catalog) == [
        "error: its header gives a segment size of 2097152 bytes, unlike the rest of the archive "
          + "(1 MiB)"
      ])
  }

  @Test func firstPageOnANewerTimelineThanTheName() throws {
    let fixture = try RepositoryFixture()
    defer { fixture.remove() }
    try fixture.writeSegment("000000020000000000000001", gzip: true)
    let newer = try fixture.writeSegment(
      "000000020000000000000002",
      bytes: RepositoryFixture.segmentBytes("000000020000000000000002", headerTimeline: 3))
    let catalog = fixture.scan()
    #expect(catalog.archive.segments.map(\.name.description) == ["000000020000000000000001"])
    #expect(
      messages(at: newer, in: catalog) == [
        "error: named for timeline 2, but its first page is on timeline 3"
      ])
  }

  @Test func duplicateThatCannotBeCompared() throws {
    let fixture = try RepositoryFixture()
    defer { fixture.remove() }
    let good = try fixture.writeSegment("000000010000000000000001", folder: "a", gzip: true)
    // The second copy is a gzip'd segment cut short: its header inflates, its end does not.
    let full = try gzipped(RepositoryFixture.segmentBytes("000000010000000000000001"))
    let cut = Array(full.prefix(full.count / 2))
    let truncated = try fixture.write(cut, to: "\(fixture.wal)/b/000000010000000000000001.gz")
    let catalog = fixture.scan()
    #expect(catalog.archive.segments.map(\.path) == [good])
    #expect(
      messages(at: truncated, in: catalog) == [
        "error: cannot compare with \(good): gzip stream truncated at byte \(cut.count) of "
          + truncated
      ])
  }

  @Test func historyFileLargerThanOneMiB() throws {
    let fixture = try RepositoryFixture()
    defer { fixture.remove() }
    let big = try fixture.write(
      [UInt8](repeating: UInt8(ascii: "#"), count: 2 << 20), to: "\(fixture.wal)/00000002.history")
    let catalog = fixture.scan()
    #expect(catalog.archive.historyFiles.isEmpty)
    #expect(messages(at: big, in: catalog) == ["error: larger than 1 MiB: not a history file"])
  }

  // MARK: - BaseBackupReader.swift

  @Test func backupWithoutABackupLabel() throws {
    let fixture = try RepositoryFixture()
    defer { fixture.remove() }
    let folder = try fixture.writeBackup(.init(id: "b", format: .plain))
    try FileManager.default.removeItem(atPath: "\(folder)/backup_label")
    let catalog = fixture.scan()
    #expect(catalog.backups.isEmpty)
    #expect(
      messages(at: folder, in: catalog) == [
        "error: no backup_label in this backup; without it recovery cannot know where to start"
      ])
  }

  @Test func tarBackupWithoutABackupLabel() throws {
    let fixture = try RepositoryFixture()
    defer { fixture.remove() }
    var tar = TarWriter([UInt8]())
    try tar.append(.file("PG_VERSION"), data: Array("15\n".utf8))
    try tar.append(.file("global/pg_control"), data: ControlFileFixture().sealed())
    let archive = try fixture.write(
      try gzipped(try tar.finish()), to: "\(fixture.base)/b/base.tar.gz")
    let catalog = fixture.scan()
    #expect(catalog.backups.isEmpty)
    #expect(
      messages(at: archive, in: catalog) == [
        "error: no backup_label in this backup; without it recovery cannot know where to start"
      ])
  }

  @Test func plainBackupFileLargerThanOneMiB() throws {
    let fixture = try RepositoryFixture()
    defer { fixture.remove() }
    let folder = try fixture.writeBackup(.init(id: "b", format: .plain))
    let conf = try fixture.write(
      [UInt8](repeating: UInt8(ascii: "#"), count: 2 << 20), to: "\(folder)/postgresql.conf")
    let catalog = fixture.scan()
    #expect(catalog.backups.map(\.id) == ["b"])
    #expect(
      messages(at: conf, in: catalog) == [
        "error: cannot read this file (or it is larger than 1 MiB)"
      ])
  }

  @Test func plainBackupWithoutPgControl() throws {
    let fixture = try RepositoryFixture()
    defer { fixture.remove() }
    let folder = try fixture.writeBackup(.init(id: "b", format: .plain))
    try FileManager.default.removeItem(atPath: "\(folder)/global/pg_control")
    let catalog = fixture.scan()
    #expect(catalog.backups.first?.control == nil)
    #expect(
      messages(at: folder, in: catalog) == [
        "warning: global/pg_control is missing from this backup; it cannot be restored"
      ])
  }

  @Test func tarBackupWithoutPgControl() throws {
    let fixture = try RepositoryFixture()
    defer { fixture.remove() }
    var tar = TarWriter([UInt8]())
    let label = """
      START WAL LOCATION: 0/200028 (file 000000010000000000000002)
      CHECKPOINT LOCATION: 0/200060
      BACKUP METHOD: streamed
      BACKUP FROM: primary
      START TIME: 2025-07-01 02:00:00 UTC
      LABEL: bb
      START TIMELINE: 1

      """
    try tar.append(.file("backup_label"), data: Array(label.utf8))
    try tar.append(.file("PG_VERSION"), data: Array("15\n".utf8))
    let archive = try fixture.write(try tar.finish(), to: "\(fixture.base)/b/base.tar")
    let catalog = fixture.scan()
    #expect(catalog.backups.map(\.id) == ["b"])
    #expect(
      messages(at: archive, in: catalog) == [
        "warning: global/pg_control is missing from this backup; it cannot be restored"
      ])
  }

  // MARK: - TimelineTree.swift

  @Test func historyWhoseParentHasNoHistoryFile() throws {
    let fixture = try RepositoryFixture()
    defer { fixture.remove() }
    try fixture.writeHistory(
      timeline: 3, [(1, "0/300000", "no recovery target specified"), (2, "0/500000", "before 2")])
    let catalog = fixture.scan()
    #expect(
      messages(at: "\(fixture.wal)/00000003.history", in: catalog) == [
        "warning: this history file does not fit the others: its parent timeline 2 has no "
          + "history file in the archive"
      ])
  }

  // MARK: - BackupManifest+JSON.swift

  // A timeline above UInt32.max is read as a wider integer and refused by its range, with
  // the range's position (Foundation's decoder on Linux would report it only as "not valid
  // JSON", with no path).

  @Test func manifestTimelineTooLargeForItsType() {
    let body = BackupManifestTests.v1Body.replacingOccurrences(
      of: "\"Timeline\": 1", with: "\"Timeline\": 4294967296")
    #expect(body != BackupManifestTests.v1Body)
    #expect(
      BackupManifestTests.message(BackupManifestTests.sealed(body))
        == "backup_manifest: WAL-Ranges[0] must have a timeline from 1 to 4294967295 and LSNs of the form "
        + "X/Y, found 4294967296, '0/2000028', '0/2000100'")
  }
}
