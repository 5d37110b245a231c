import Archives
import Testing
import _PITRTestSupport

@Suite struct TarReaderTests {
  @Test(arguments: [TarWriter<[UInt8]>.Format.ustar, .pax, .gnu])
  func roundTripsEveryKindOfEntry(format: TarWriter<[UInt8]>.Format) throws {
    var tar = TarWriter([UInt8](), format: format)
    let sizes = [0, 1, 511, 512, 513, 10_000]
    for size in sizes {
      try tar.append(
        .file("data/file-\(size)"), data: ArchiveSamples.text(size, seed: UInt64(size)))
    }
    try tar.append(.directory("data/"))
    try tar.append(.symlink("data/link", to: "file-1"))
    try tar.append(.hardLink("data/hard", to: "data/file-1"))
    try tar.append(.fixture("data/fifo", .other(typeFlag: UInt8(ascii: "6"))))
    try tar.append(
      TarEntry(
        path: "owned", kind: .regularFile, mode: 0o4750, modificationTime: 1_234_567_890,
        uid: 26, gid: 27, userName: "pg", groupName: "dba"), data: [1, 2, 3])
    let entries = try ArchiveSamples.readAll(tar: try tar.finish())

    #expect(
      entries.map(\.entry.path) == sizes.map { "data/file-\($0)" } + [
        "data/", "data/link", "data/hard", "data/fifo", "owned",
      ])
    for (index, size) in sizes.enumerated() {
      #expect(entries[index].entry.kind == .regularFile)
      #expect(entries[index].entry.size == Int64(size))
      #expect(entries[index].data == ArchiveSamples.text(size, seed: UInt64(size)))
    }
    let kinds = entries.dropFirst(sizes.count).map(\.entry.kind)
    #expect(kinds == [.directory, .symbolicLink, .hardLink, .other(typeFlag: 0x36), .regularFile])
    #expect(entries[sizes.count + 1].entry.linkTarget == "file-1")
    #expect(entries[sizes.count + 2].entry.linkTarget == "data/file-1")
    #expect(entries[sizes.count].entry.linkTarget == nil)
    let owned = try #require(entries.last).entry
    #expect(owned.mode == 0o4750)
    #expect(owned.modificationTime == 1_234_567_890)
    #expect([owned.uid, owned.gid] == [26, 27])
    #expect([owned.userName, owned.groupName] == ["pg", "dba"])
    #expect(try #require(entries.last).data == [1, 2, 3])
  }

  @Test(arguments: [TarWriter<[UInt8]>.Format.pax, .gnu])
  func longPathsAndLinkTargets(format: TarWriter<[UInt8]>.Format) throws {
    let longPath = "base/16384/" + String(repeating: "a_long_directory_name/", count: 8) + "2619"
    let longTarget = "/srv/" + String(repeating: "tablespace-", count: 12)
    #expect(longPath.utf8.count > 150)
    var tar = TarWriter([UInt8](), format: format)
    try tar.append(.file(longPath), data: Array("relation".utf8))
    try tar.append(.symlink("pg_tblspc/16400", to: longTarget))
    try tar.append(.file("after"), data: [9])
    let entries = try ArchiveSamples.readAll(tar: try tar.finish())
    #expect(entries.map(\.entry.path) == [longPath, "pg_tblspc/16400", "after"])
    #expect(entries[0].data == Array("relation".utf8))
    #expect(entries[1].entry.linkTarget == longTarget)
    #expect(entries[2].data == [9])
  }

  @Test func ustarPrefixAndNameAreJoined() throws {
    let path = String(repeating: "p", count: 120) + "/" + String(repeating: "n", count: 90)
    var tar = TarWriter([UInt8](), format: .ustar)
    try tar.append(.file(path), data: [1])
    #expect(try ArchiveSamples.readAll(tar: try tar.finish()).map(\.entry.path) == [path])
  }

  @Test func base256SizeIsDecoded() throws {
    var tar = TarWriter([UInt8](), format: .gnu)
    try tar.append(.file("big"), data: ArchiveSamples.text(1234), base256Size: true)
    try tar.append(.file("next"), data: [7])
    let bytes = try tar.finish()
    #expect(bytes[124] == 0x80)
    let entries = try ArchiveSamples.readAll(tar: bytes)
    #expect(entries.map(\.entry.size) == [1234, 1])
    #expect(entries[0].data == ArchiveSamples.text(1234))
  }

  @Test func paxRecordsOverrideHeaderFields() throws {
    var tar = TarWriter([UInt8](), format: .pax)
    try tar.appendGlobalHeader([("uname", "global-user"), ("mtime", "1600000000")])
    try tar.append(
      .file("short"), data: [1],
      paxRecords: [
        ("path", "renamed/by/pax"), ("mtime", "1700000123.456789"), ("uid", "3000000"),
        ("gid", "42"), ("gname", "wheel"), ("comment", "ignored"),
      ])
    try tar.append(.file("plain"), paxRecords: [("uname", "")])
    let entries = try ArchiveSamples.readAll(tar: try tar.finish())
    let first = entries[0].entry
    #expect(first.path == "renamed/by/pax")
    #expect(first.modificationTime == 1_700_000_123)
    #expect([first.uid, first.gid] == [3_000_000, 42])
    #expect([first.userName, first.groupName] == ["global-user", "wheel"])
    let second = entries[1].entry
    #expect(second.modificationTime == 1_600_000_000)
    #expect(second.userName == "postgres")  // the empty pax value cancels the global one
  }

  @Test func paxSizeRecordWins() throws {
    var tar = TarWriter([UInt8](), format: .pax)
    var sized = TarEntry.file("sized")
    sized.size = 700
    try tar.beginEntry(sized, paxRecords: [("size", "700")])
    let data = ArchiveSamples.text(700)
    try data.withUnsafeBytes { try tar.writeData($0) }
    try tar.endEntry()
    var bytes = try tar.finish()
    let header = 1024  // after the pax header and its one data block
    bytes.replaceSubrange((header + 124)..<(header + 136), with: Array("00000000000\0".utf8))
    TarHeaderBytes.reseal(&bytes, headerAt: header)
    let entries = try ArchiveSamples.readAll(tar: bytes)
    #expect(entries.map(\.entry.size) == [700])
    #expect(entries[0].data == data)
  }

  @Test func baseBackupPathsAreReportedAsStoredAndNormalized() throws {
    let entries = try ArchiveSamples.readAll(tar: try ArchiveSamples.baseBackup())
    #expect(
      entries.map(\.entry.path) == [
        "backup_label", "pg_wal/", "./pg_wal/archive_status/", "global/", "global/pg_control",
        "base/1/1259", "pg_tblspc/16385", "PG_VERSION",
      ])
    #expect(
      entries.map(\.entry.archivePath.normalized) == [
        "backup_label", "pg_wal", "pg_wal/archive_status", "global", "global/pg_control",
        "base/1/1259", "pg_tblspc/16385", "PG_VERSION",
      ])
    #expect(entries.allSatisfy { !$0.entry.archivePath.escapes })
    #expect(entries[6].entry.linkTarget == "/srv/tablespaces/fast")
  }

  @Test func readsATarInsideGzip() throws {
    let tar = try ArchiveSamples.baseBackup()
    let plain = try ArchiveSamples.readAll(tar: tar)
    let packed = try ArchiveSamples.readAll(tarGz: try gzip(tar))
    #expect(packed.map(\.entry) == plain.map(\.entry))
    #expect(packed.map(\.data) == plain.map(\.data))
  }

  @Test func unreadAndPartlyReadDataIsSkipped() throws {
    var reader = TarReader(MemoryByteStream(try ArchiveSamples.baseBackup()))
    var names: [String] = []
    var buffer = [UInt8](repeating: 0, count: 100)
    while let entry = try reader.next() {
      names.append(entry.path)
      if entry.path == "global/pg_control" {
        #expect(try buffer.withUnsafeMutableBytes { try reader.readData(into: $0) } == 100)
        #expect(buffer == Array(ArchiveSamples.text(8192, seed: 2).prefix(100)))
        #expect(reader.unreadDataCount == 8092)
      }
    }
    #expect(names.count == 8)
    #expect(try reader.next() == nil)
  }

  @Test func readAllRefusesLargeEntriesButStaysUsable() throws {
    var reader = TarReader(MemoryByteStream(try ArchiveSamples.baseBackup(), name: "base.tar"))
    #expect(try reader.next()?.path == "backup_label")
    #expect(try reader.readAll(limit: 1024) == Array("START WAL LOCATION: 0/2000028\n".utf8))
    while let entry = try reader.next(), entry.path != "global/pg_control" {}
    let error = #expect(throws: ArchiveError.self) { try reader.readAll(limit: 4096) }
    #expect(error?.kind == .tooLarge)
    #expect(
      error?.description
        == "tar entry 'global/pg_control' is too large to read into memory (8192 bytes, limit"
        + " 4096) at offset 2560 in base.tar")
    #expect(try reader.next()?.path == "base/1/1259")
    #expect(try reader.readAll(limit: 1000) == ArchiveSamples.text(1000, seed: 3))
  }

  @Test func endsAtCleanEndOfStreamOrASingleZeroBlock() throws {
    let full = try ArchiveSamples.baseBackup()
    for end in [full.count - 1024, full.count - 512] {
      let entries = try ArchiveSamples.readAll(tar: Array(full[..<end]))
      #expect(entries.count == 8)
    }
    #expect(try ArchiveSamples.readAll(tar: []).isEmpty)
  }
}
