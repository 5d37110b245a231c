/// How a file is compressed, as told by its first bytes.
public enum CompressionKind: String, CaseIterable, Equatable, Sendable, CustomStringConvertible {
  /// Not compressed by any format this enum knows (plain tar, a WAL segment, or unknown data).
  case none
  /// gzip: `1F 8B`.
  case gzip
  /// Zstandard frame: `28 B5 2F FD`.
  case zstd
  /// LZ4 frame: `04 22 4D 18`.
  case lz4
  /// bzip2: `42 5A 68` ("BZh").
  case bzip2
  /// xz: `FD 37 7A 58 5A 00`.
  case xz

  /// How many leading bytes ``detect(_:)`` needs to tell every kind apart.
  public static let magicLength = 6

  /// The format's name, as used in messages: "gzip", "zstd", ….
  public var description: String { rawValue }

  /// The magic bytes a file in this format starts with (empty for ``none``).
  public var magic: [UInt8] {
    switch self {
    case .none: []
    case .gzip: [0x1F, 0x8B]
    case .zstd: [0x28, 0xB5, 0x2F, 0xFD]
    case .lz4: [0x04, 0x22, 0x4D, 0x18]
    case .bzip2: [0x42, 0x5A, 0x68]
    case .xz: [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]
    }
  }

  /// Tells the compression from a file's first bytes (at least ``magicLength`` when available).
  ///
  /// - Parameter firstBytes: The start of the file; fewer bytes than a magic number mean ``none``.
  /// - Returns: The kind whose magic number `firstBytes` starts with, or ``none``.
  public static func detect(_ firstBytes: some Collection<UInt8>) -> CompressionKind {
    let head = Array(firstBytes.prefix(magicLength))
    return allCases.first { $0 != .none && head.starts(with: $0.magic) } ?? .none
  }

  /// Tells the compression of a file from its first ``magicLength`` bytes.
  ///
  /// - Parameter path: The file to look at; an empty or short file is ``none``.
  /// - Throws: ``ArchiveError`` (``ArchiveError/Kind/io``) when the file cannot be opened or read.
  public static func detect(path: String) throws -> CompressionKind {
    var file = try FileByteStream(path: path)
    defer { file.close() }
    var head = [UInt8](repeating: 0, count: magicLength)
    let count = try head.withUnsafeMutableBytes { try file.readFully(into: $0) }
    return detect(head.prefix(count))
  }

  /// Whether ``DecompressedFileStream`` reads files of this kind: plain, gzip, zstd and lz4.
  public var isReadable: Bool {
    switch self {
    case .none, .gzip, .zstd, .lz4: true
    case .bzip2, .xz: false
    }
  }

  /// The file name suffix tools write for this kind, without the dot: `gz`, `zst`, `lz4`, …
  /// (empty for ``none``).
  public var fileSuffix: String {
    switch self {
    case .none: ""
    case .gzip: "gz"
    case .zstd: "zst"
    case .lz4: "lz4"
    case .bzip2: "bz2"
    case .xz: "xz"
    }
  }

  /// The kind a file name's last suffix names (`base.tar.zst` is ``zstd``), or `nil` when it
  /// names none; a hint only, the magic bytes decide.
  public static func named(by fileName: some StringProtocol) -> CompressionKind? {
    guard let dot = fileName.lastIndex(of: ".") else { return nil }
    let suffix = fileName[fileName.index(after: dot)...]
    return allCases.first { $0 != .none && suffix == $0.fileSuffix }
  }

  /// A stream decompressing `source` as this kind says: `nil` for ``none``.
  ///
  /// - Throws: ``ArchiveError``: ``ArchiveError/Kind/unsupportedCompression`` for bzip2 and
  ///   xz, ``ArchiveError/Kind/io`` when the library cannot start.
  public func decompressing<Source: ByteStream>(_ source: Source) throws -> (any ByteStream)? {
    switch self {
    case .none: nil
    case .gzip: try GzipInflater.preferred.inflating(source)
    case .zstd: try ZstdByteStream(source)
    case .lz4: try LZ4ByteStream(source)
    case .bzip2, .xz: throw ArchiveError.unsupported(self, in: source.name ?? "the stream")
    }
  }
}
