import Archives
import Testing
import _PITRTestSupport

@Suite struct TarReaderErrorTests {
  /// The error reading all of `tar` throws.
  private func failure(reading tar: [UInt8]) -> ArchiveError? {
    #expect(throws: ArchiveError.self) {
      _ = try ArchiveSamples.readAll(tar: tar, name: "base.tar")
    }
  }

  @Test func badChecksumNamesTheHeaderOffset() throws {
    var tar = try ArchiveSamples.baseBackup()
    tar[1024 + 5] ^= 0x01  // the name of the second header ("pg_wal/")
    let error = failure(reading: tar)
    #expect(error?.kind == .checksumMismatch)
    #expect(error?.offset == 1024)
    #expect(error?.description.hasPrefix("tar header checksum mismatch (stored 0o") == true)
    #expect(error?.description.hasSuffix(") at offset 1024 in base.tar") == true)
  }

  @Test func entriesBeforeABadHeaderAreStillReturned() throws {
    var tar = try ArchiveSamples.baseBackup()
    tar[2560 + 148] = UInt8(ascii: "9")  // unreadable checksum of global/pg_control
    var reader = TarReader(MemoryByteStream(tar))
    var names: [String] = []
    let error = #expect(throws: ArchiveError.self) {
      while let entry = try reader.next() { names.append(entry.path) }
    }
    #expect(names == ["backup_label", "pg_wal/", "./pg_wal/archive_status/", "global/"])
    #expect(error?.offset == 2560)
    #expect(error?.description.contains("stored value unreadable") == true)
    let again = #expect(throws: ArchiveError.self) { _ = try reader.next() }
    #expect(again == error)
  }

  @Test func dataThatIsNotTarIsAChecksumErrorAtOffsetZero() throws {
    var random = SeededRandom(seed: 3)
    let error = failure(reading: random.bytes(2048))
    #expect(error?.kind == .checksumMismatch)
    #expect(error?.description.contains("is this a tar archive?") == true)
  }

  @Test func truncationIsAnErrorWhereverItFalls() throws {
    let tar = try ArchiveSamples.baseBackup()
    // Inside a header, inside data, inside padding.
    for (length, offset) in [(700, 512), (2000, 1536), (3000, 2560), (3072 + 8192 + 10, 11264)] {
      let error = failure(reading: Array(tar[..<length]))
      #expect(error?.kind == .truncated, "length \(length)")
      #expect(error?.offset == Int64(offset) || error?.offset == Int64(length), "length \(length)")
    }
    let inPadding = failure(reading: Array(tar[..<(512 + 100)]))
    #expect(inPadding?.description.contains("padding") == true)
    let inData = failure(reading: Array(tar[..<(3072 + 100)]))
    #expect(
      inData?.description
        == "tar archive truncated inside the data of 'global/pg_control' (8092 bytes missing)"
        + " at offset 3172 in base.tar")
  }

  @Test func truncationAfterAnExtendedHeaderIsAnError() throws {
    var tar = TarWriter([UInt8](), format: .gnu)
    try tar.append(.file(String(repeating: "x", count: 200)), data: [1])
    let bytes = try tar.finish()
    let error = failure(reading: Array(bytes[..<1024]))
    #expect(error?.kind == .truncated)
    #expect(
      error?.description == "tar archive truncated after an extended header at offset 0 in base.tar"
    )
    let zeroed = Array(bytes[..<1024]) + [UInt8](repeating: 0, count: 1024)
    #expect(failure(reading: zeroed)?.kind == .corrupt)
  }

  @Test func aLoneZeroBlockFollowedByAHeaderIsCorrupt() throws {
    var tar = TarWriter([UInt8](), format: .pax)
    try tar.append(.file("a"), data: [1])
    try tar.writeRaw([UInt8](repeating: 0, count: 512))
    try tar.append(.file("b"), data: [2])
    let error = failure(reading: try tar.finish())
    #expect(error?.kind == .corrupt)
    #expect(error?.offset == 1024)
  }

  @Test func malformedPaxRecordsAreCorrupt() throws {
    for records in ["13 path=abc\n", "5 p", "x path=abc\n", "99 path=abc\n", "11 pathabc\n"] {
      var tar = TarWriter([UInt8](), format: .pax)
      try tar.writeRaw(try ArchiveSamples.paxHeader(records))
      try tar.append(.file("victim"), data: [1])
      let error = failure(reading: try tar.finish())
      #expect(error?.kind == .corrupt, "\(records)")
      #expect(error?.description.hasPrefix("malformed pax extended header at offset 0") == true)
    }
  }

  @Test func malformedNumericFieldsAreCorrupt() throws {
    var tar = try ArchiveSamples.baseBackup()
    tar.replaceSubrange(124..<136, with: Array("0000000x030\0".utf8))
    TarHeaderBytes.reseal(&tar, headerAt: 0)
    let error = failure(reading: tar)
    #expect(error?.kind == .corrupt)
    #expect(error?.description == "malformed size field in tar header at offset 0 in base.tar")
  }

  @Test func oversizedMetadataIsRefused() throws {
    var tar = TarWriter([UInt8](), format: .pax)
    try tar.append(.fixture("huge", .other(typeFlag: UInt8(ascii: "x"))))
    var bytes = try tar.finish()
    bytes.replaceSubrange(124..<136, with: Array("77777777777\0".utf8))
    TarHeaderBytes.reseal(&bytes, headerAt: 0)
    #expect(failure(reading: bytes)?.kind == .tooLarge)
  }
}

extension TarReaderErrorTests {
  @Test(arguments: [
    [0xFF] + [UInt8](repeating: 0xFF, count: 11),  // -1
    [0x80, 0x00, 0x00, 0x00] + [UInt8](repeating: 0xFF, count: 8),  // Int64.max
    [0x80] + [UInt8](repeating: 0xFF, count: 11),  // overflows Int64
  ])
  func implausibleBase256SizesAreCorrupt(field: [UInt8]) throws {
    for typeFlag: Unicode.Scalar in ["0", "x", "L"] {
      var tar = TarWriter([UInt8](), format: .gnu)
      try tar.append(.fixture("entry", .other(typeFlag: UInt8(ascii: typeFlag))))
      var bytes = try tar.finish()
      bytes.replaceSubrange(124..<136, with: field)
      TarHeaderBytes.reseal(&bytes, headerAt: 0)
      let error = failure(reading: bytes)
      #expect(error?.description == "malformed size field in tar header at offset 0 in base.tar")
    }
  }
}
