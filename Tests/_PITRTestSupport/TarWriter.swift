import Archives

/// Writes tar archives for tests: ustar headers, with long paths as pax records or GNU long
/// names, and data that can be streamed in chunks so large members never sit in memory.
///
/// ```swift
/// var tar = TarWriter([UInt8](), format: .pax)
/// try tar.append(.file("backup_label"), data: Array("START WAL LOCATION: 0/2000028\n".utf8))
/// let bytes = try tar.finish()
/// ```
public struct TarWriter<Sink: ByteSink> {
  /// How paths and link targets longer than the 100-byte header fields are stored.
  public enum Format: Sendable {
    /// Split at a `/` into the 155-byte prefix and the 100-byte name; longer paths throw.
    case ustar
    /// A pax `x` header with `path` / `linkpath` records (POSIX.1-2001, `tar --format=pax`).
    case pax
    /// GNU `L` / `K` long-name members (`tar --format=gnu`).
    case gnu
  }

  /// Where the archive goes.
  public private(set) var sink: Sink
  /// How long names are stored.
  public let format: Format
  /// How many bytes have been written.
  public private(set) var offset: Int64 = 0
  private var dataRemaining: Int64 = 0

  /// Starts an archive written to `sink`.
  public init(_ sink: Sink, format: Format = .pax) {
    self.sink = sink
    self.format = format
  }

  /// Writes a whole member: its headers, `data` (whatever `entry.size` says) and the padding.
  ///
  /// - Parameters:
  ///   - base256Size: Store the size in GNU base-256 even though it fits in octal.
  ///   - paxRecords: More pax records for this member, written in an `x` header whatever the
  ///     format.
  public mutating func append(
    _ entry: TarEntry, data: [UInt8] = [], base256Size: Bool = false,
    paxRecords: [(key: String, value: String)] = []
  ) throws {
    var entry = entry
    entry.size = Int64(data.count)
    try beginEntry(entry, base256Size: base256Size, paxRecords: paxRecords)
    try data.withUnsafeBytes { try writeData($0) }
    try endEntry()
  }

  /// Writes a member's headers; its `entry.size` data bytes follow through ``writeData(_:)``.
  ///
  /// The parameters are those of ``append(_:data:base256Size:paxRecords:)``.
  public mutating func beginEntry(
    _ entry: TarEntry, base256Size: Bool = false, paxRecords: [(key: String, value: String)] = []
  ) throws {
    guard dataRemaining == 0 else { throw FixtureError("the previous entry is not complete") }
    var records = paxRecords
    var name = entry.path
    var prefix = ""
    var link = entry.linkTarget ?? ""
    if entry.path.utf8.count > 100 {
      switch format {
      case .ustar: (prefix, name) = try Self.split(entry.path)
      case .pax: records.append(("path", entry.path))
      case .gnu: try writeLongName(entry.path, typeFlag: UInt8(ascii: "L"))
      }
    }
    if link.utf8.count > 100 {
      switch format {
      case .ustar: throw FixtureError("ustar cannot store the link target \(link)")
      case .pax: records.append(("linkpath", link))
      case .gnu: try writeLongName(link, typeFlag: UInt8(ascii: "K"))
      }
      link = String(link.utf8.prefix(100)) ?? ""
    }
    if !records.isEmpty { try writePaxHeader(records, typeFlag: UInt8(ascii: "x")) }
    var header = TarHeaderBytes(magic: format == .gnu ? .gnu : .posix)
    header.text(String(name.utf8.prefix(100)) ?? "", at: 0..<100)
    header.text(prefix, at: 345..<500)
    header.octal(Int64(entry.mode), at: 100..<108)
    header.octal(Int64(entry.uid), at: 108..<116)
    header.octal(Int64(entry.gid), at: 116..<124)
    header.octal(entry.size, at: 124..<136, base256: base256Size)
    header.octal(entry.modificationTime, at: 136..<148)
    header.bytes[156] = entry.typeFlag
    header.text(link, at: 157..<257)
    header.text(entry.userName, at: 265..<297)
    header.text(entry.groupName, at: 297..<329)
    try writeRaw(header.sealed())
    dataRemaining = entry.size
  }

  /// Writes the next data bytes of the member begun last.
  public mutating func writeData(_ bytes: UnsafeRawBufferPointer) throws {
    guard Int64(bytes.count) <= dataRemaining else {
      throw FixtureError("more data than the entry's size")
    }
    try sink.write(bytes)
    offset += Int64(bytes.count)
    dataRemaining -= Int64(bytes.count)
  }

  /// Ends the member begun last, padding its data to a whole block.
  public mutating func endEntry() throws {
    guard dataRemaining == 0 else { throw FixtureError("\(dataRemaining) data bytes missing") }
    try writeRaw([UInt8](repeating: 0, count: Int((512 - offset % 512) % 512)))
  }

  /// Writes a pax global (`g`) header, which applies to every member after it.
  public mutating func appendGlobalHeader(_ records: [(key: String, value: String)]) throws {
    try writePaxHeader(records, typeFlag: UInt8(ascii: "g"))
  }

  /// Writes bytes as they are (to craft unusual archives).
  public mutating func writeRaw(_ bytes: [UInt8]) throws {
    try sink.write(bytes)
    offset += Int64(bytes.count)
  }

  /// Writes the two zero blocks that end an archive and returns the sink.
  public mutating func finish() throws -> Sink {
    try writeRaw([UInt8](repeating: 0, count: 1024))
    return sink
  }

  // MARK: - Extended headers

  /// Writes a pax header member holding `records`.
  private mutating func writePaxHeader(
    _ records: [(key: String, value: String)], typeFlag: UInt8
  ) throws {
    let data = records.flatMap { Self.paxRecord($0.key, $0.value) }
    try writeMetadata(data, name: "PaxHeaders/entry", typeFlag: typeFlag)
  }

  /// Writes a GNU `L` or `K` member holding `text`.
  private mutating func writeLongName(_ text: String, typeFlag: UInt8) throws {
    try writeMetadata(Array(text.utf8) + [0], name: "././@LongLink", typeFlag: typeFlag)
  }

  /// Writes a metadata member: a header of type `typeFlag` and `data`.
  private mutating func writeMetadata(_ data: [UInt8], name: String, typeFlag: UInt8) throws {
    var header = TarHeaderBytes(magic: format == .gnu ? .gnu : .posix)
    header.text(name, at: 0..<100)
    header.octal(0o644, at: 100..<108)
    header.octal(Int64(data.count), at: 124..<136)
    header.bytes[156] = typeFlag
    try writeRaw(header.sealed())
    dataRemaining = Int64(data.count)
    try data.withUnsafeBytes { try writeData($0) }
    try endEntry()
  }

  /// One pax record: `"<length> <key>=<value>\n"`, the length counting itself.
  static func paxRecord(_ key: String, _ value: String) -> [UInt8] {
    let body = " \(key)=\(value)\n"
    var length = body.utf8.count + 1
    while String(length).utf8.count + body.utf8.count != length {
      length = String(length).utf8.count + body.utf8.count
    }
    return Array((String(length) + body).utf8)
  }

  /// Splits a path into ustar's prefix and name fields.
  private static func split(_ path: String) throws -> (prefix: String, name: String) {
    let bytes = Array(path.utf8)
    for index in bytes.indices.reversed() where bytes[index] == UInt8(ascii: "/") {
      if index <= 155, bytes.count - index - 1 <= 100, index + 1 < bytes.count {
        return (
          String(decoding: bytes[..<index], as: UTF8.self),
          String(decoding: bytes[(index + 1)...], as: UTF8.self)
        )
      }
    }
    throw FixtureError("ustar cannot store the path \(path)")
  }
}
