/// Header decoding for ``TarReader``: extended headers, entry fields, end-of-archive blocks.
extension TarReader {
  /// Reads headers until one describes an entry, applying extended headers on the way.
  mutating func readEntry() throws -> TarEntry? {
    var localRecords: [(key: String, value: String)] = []
    var longName: String?
    var longLink: String?
    var extendedHeaderOffset: Int64?
    while true {
      guard let block = try readBlock(pendingSince: extendedHeaderOffset) else {
        return nil
      }
      if block.isZero {
        if let extendedHeaderOffset {
          throw ArchiveError(
            .corrupt, "tar extended header is followed by the end of the archive",
            offset: extendedHeaderOffset, file: source.name)
        }
        try readSecondZeroBlock(after: block)
        return nil
      }
      try block.verifyChecksum()
      let size = try block.number(124..<136, field: "size")
      guard Self.isPlausible(size) else { throw block.malformed("size") }
      switch block.typeFlag {
      case UInt8(ascii: "x"), UInt8(ascii: "g"):
        guard let records = PaxRecords.parse(try readMetadata(of: block, size: size)) else {
          throw ArchiveError(
            .corrupt, "malformed pax extended header", offset: block.offset, file: source.name)
        }
        if block.typeFlag == UInt8(ascii: "g") {
          globalRecords.apply(records)
        } else {
          localRecords += records
          extendedHeaderOffset = extendedHeaderOffset ?? block.offset
        }
      case UInt8(ascii: "L"), UInt8(ascii: "K"):
        let data = try readMetadata(of: block, size: size)
        let text = String(decoding: data.prefix { $0 != 0 }, as: UTF8.self)
        if block.typeFlag == UInt8(ascii: "L") { longName = text } else { longLink = text }
        extendedHeaderOffset = extendedHeaderOffset ?? block.offset
      default:
        let records = globalRecords.overridden(by: localRecords)
        let entry = try makeEntry(
          block, size: size, records: records, longName: longName, longLink: longLink)
        dataRemaining = entry.size
        paddingRemaining = Self.padding(after: entry.size)
        return entry
      }
    }
  }

  /// Builds the entry a header describes, extended headers taking precedence over its fields.
  private func makeEntry(
    _ block: TarHeaderBlock, size headerSize: Int64, records: PaxRecords, longName: String?,
    longLink: String?
  ) throws -> TarEntry {
    let path = records["path"] ?? longName ?? block.ustarPath
    let kind = Self.kind(of: block.typeFlag, path: path)
    var size = headerSize
    if let value = records["size"] {
      guard let parsed = Int64(value), Self.isPlausible(parsed) else {
        throw badRecord("size", block)
      }
      size = parsed
    }
    var modificationTime = try block.number(136..<148, field: "mtime")
    if let value = records["mtime"] {
      let seconds = value.split(separator: ".", maxSplits: 1).first ?? ""
      guard let parsed = Int64(seconds) else { throw badRecord("mtime", block) }
      modificationTime = parsed
    }
    let link = records["linkpath"] ?? longLink ?? block.linkName
    return TarEntry(
      path: path, kind: kind, size: Self.hasData(block.typeFlag) ? size : 0,
      mode: UInt32(truncatingIfNeeded: try block.number(100..<108, field: "mode")),
      modificationTime: modificationTime,
      uid: try id(records["uid"], block, 108..<116, field: "uid"),
      gid: try id(records["gid"], block, 116..<124, field: "gid"),
      userName: records["uname"] ?? block.userName, groupName: records["gname"] ?? block.groupName,
      linkTarget: link.isEmpty ? nil : link, headerOffset: block.offset)
  }

  /// A user or group id, from a pax record or the header.
  private func id(
    _ record: String?, _ block: TarHeaderBlock, _ range: Range<Int>, field: String
  ) throws -> Int {
    if let record {
      guard let value = Int(record) else { throw badRecord(field, block) }
      return value
    }
    return Int(try block.number(range, field: field))
  }

  /// An error for a pax record whose value is not valid.
  private func badRecord(_ key: String, _ block: TarHeaderBlock) -> ArchiveError {
    ArchiveError(
      .corrupt, "invalid pax '\(key)' record for the tar header", offset: block.offset,
      file: source.name)
  }

  /// Reads the next 512-byte block; nil at a clean end of the stream.
  ///
  /// - Parameter extended: The offset of the extended headers read for the coming entry, if any:
  ///   the stream must not end there.
  private mutating func readBlock(pendingSince extended: Int64?) throws -> TarHeaderBlock? {
    var bytes = [UInt8](repeating: 0, count: TarHeaderBlock.size)
    let start = offset
    let count = try bytes.withUnsafeMutableBytes { try source.readFully(into: $0) }
    offset += Int64(count)
    if count == 0, extended == nil { return nil }
    guard count == TarHeaderBlock.size else {
      let problem =
        count == 0
        ? "tar archive truncated after an extended header"
        : "tar archive truncated inside a header (\(count) of 512 bytes)"
      throw ArchiveError(.truncated, problem, offset: extended ?? start, file: source.name)
    }
    return TarHeaderBlock(bytes: bytes, offset: start, file: source.name)
  }

  /// Reads what follows a first zero block: another zero block or the end of the stream.
  private mutating func readSecondZeroBlock(after first: TarHeaderBlock) throws {
    var bytes = [UInt8](repeating: 0, count: TarHeaderBlock.size)
    let count = try bytes.withUnsafeMutableBytes { try source.readFully(into: $0) }
    offset += Int64(count)
    guard bytes.allSatisfy({ $0 == 0 }) else {
      throw ArchiveError(
        .corrupt, "tar archive has a lone zero block followed by more data",
        offset: first.offset, file: source.name)
    }
  }

  /// Reads the data of an extended header (and its padding) into memory, within the limit.
  private mutating func readMetadata(of block: TarHeaderBlock, size: Int64) throws -> [UInt8] {
    guard size <= Int64(Self.metadataLimit) else {
      throw ArchiveError(
        .tooLarge, "tar extended header of \(size) bytes is larger than \(Self.metadataLimit)",
        offset: block.offset, file: source.name)
    }
    var data = [UInt8](repeating: 0, count: Int(size))
    let count = try data.withUnsafeMutableBytes { try source.readFully(into: $0) }
    offset += Int64(count)
    let padding = Self.padding(after: size)
    let skipped = count == data.count ? try source.skip(padding) : 0
    offset += skipped
    guard count == data.count, skipped == padding else {
      throw ArchiveError(
        .truncated, "tar archive truncated inside an extended header", offset: block.offset,
        file: source.name)
    }
    return data
  }

  /// Whether a size can be an entry's: not negative, and far enough from `Int64.max` that
  /// offsets and padding cannot overflow.
  static func isPlausible(_ size: Int64) -> Bool {
    (0...(Int64.max / 2)).contains(size)
  }

  /// How many zero bytes pad `size` data bytes to a whole block.
  static func padding(after size: Int64) -> Int64 {
    let block = Int64(TarHeaderBlock.size)
    return (block - size % block) % block
  }

  /// Whether entries of a type carry data blocks (links, directories and devices do not).
  private static func hasData(_ typeFlag: UInt8) -> Bool {
    !(UInt8(ascii: "1")...UInt8(ascii: "6")).contains(typeFlag)
  }

  /// The kind a type flag stands for.
  private static func kind(of typeFlag: UInt8, path: String) -> TarEntry.Kind {
    switch typeFlag {
    case 0 where path.hasSuffix("/"): .directory
    case 0, UInt8(ascii: "0"), UInt8(ascii: "7"): .regularFile
    case UInt8(ascii: "1"): .hardLink
    case UInt8(ascii: "2"): .symbolicLink
    case UInt8(ascii: "5"): .directory
    default: .other(typeFlag: typeFlag)
    }
  }
}
