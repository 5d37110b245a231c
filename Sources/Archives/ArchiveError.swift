/// Why a file, a gzip stream or a tar archive could not be read.
///
/// The ``description`` is the sentence shown to the user: it says what went wrong, where (a byte
/// offset) and in which file, for example "tar header checksum mismatch at offset 10240 in
/// base.tar". Tar offsets count bytes of the tar stream (after decompression); gzip offsets count
/// compressed bytes of the file.
public struct ArchiveError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The kind of problem, for callers that react differently to each.
  public enum Kind: String, Equatable, Sendable {
    /// A file could not be opened or read.
    case io
    /// The data is compressed in a format this module does not decompress.
    case unsupportedCompression
    /// The data ends before the format says it should.
    case truncated
    /// The data does not follow the format (bad gzip data, malformed tar header or pax record).
    case corrupt
    /// A tar header's checksum does not match its bytes.
    case checksumMismatch
    /// An entry or metadata block is larger than the caller's (or the reader's) limit.
    case tooLarge
  }

  /// What an offset counts, which decides how the sentence reads.
  public enum OffsetUnit: Equatable, Sendable {
    /// Bytes of a (decompressed) stream: "at offset 10240 in base.tar".
    case streamOffset
    /// Bytes of a file as stored (compressed, when it is): "at byte 5123 of pg_wal.tar.gz".
    case fileByte
  }

  /// The kind of problem.
  public var kind: Kind
  /// The file (or stream name) it is in, when known.
  public var file: String?
  /// The byte offset it was found at, when there is one.
  public var offset: Int64?
  /// The whole user-facing sentence.
  public var description: String

  /// Makes an error whose sentence is `problem`, followed by the offset and the file when known.
  ///
  /// - Parameters:
  ///   - kind: The kind of problem.
  ///   - problem: What went wrong, lower-case, without location: "gzip stream truncated".
  ///   - offset: Where, in bytes.
  ///   - unit: What the offset counts.
  ///   - file: The file's path or the stream's name.
  public init(
    _ kind: Kind, _ problem: String, offset: Int64? = nil, unit: OffsetUnit = .streamOffset,
    file: String? = nil
  ) {
    self.kind = kind
    self.file = file
    self.offset = offset
    var sentence = problem
    switch (offset, unit) {
    case (let offset?, .streamOffset): sentence += " at offset \(offset)"
    case (let offset?, .fileByte): sentence += " at byte \(offset)"
    case (nil, _): break
    }
    if let file { sentence += (offset != nil && unit == .fileByte ? " of " : " in ") + file }
    self.description = sentence
  }
}

// MARK: - Factories

extension ArchiveError {
  /// A file that could not be opened.
  static func cannotOpen(_ path: String, _ failure: SystemCalls.Failure) -> ArchiveError {
    var error = ArchiveError(.io, "cannot open \(path): \(failure.message)", file: nil)
    error.file = path
    return error
  }

  /// A read that failed at `offset`.
  static func cannotRead(
    _ path: String, at offset: Int64, _ failure: SystemCalls.Failure
  ) -> ArchiveError {
    ArchiveError(
      .io, "cannot read (\(failure.message))", offset: offset, unit: .fileByte, file: path)
  }

  /// Compressed data this module cannot decompress.
  static func unsupported(_ kind: CompressionKind, in path: String) -> ArchiveError {
    var error = ArchiveError(
      .unsupportedCompression,
      "unsupported compression \(kind) in \(path); decompress it first or use gzip, zstd or lz4")
    error.file = path
    return error
  }

  /// A gzip stream that ends inside a member.
  static func gzipTruncated(at offset: Int64, in file: String?) -> ArchiveError {
    truncatedData("gzip", at: offset, in: file)
  }

  /// A gzip stream whose data zlib rejects.
  static func gzipCorrupt(_ detail: String, at offset: Int64, in file: String?) -> ArchiveError {
    corruptData("gzip", detail, at: offset, in: file)
  }

  /// A compressed stream (`format`: "gzip", "zstd", "lz4") that ends inside a member or frame.
  static func truncatedData(_ format: String, at offset: Int64, in file: String?) -> ArchiveError {
    ArchiveError(
      .truncated, "\(format) stream truncated", offset: offset, unit: .fileByte, file: file)
  }

  /// A compressed stream whose data its library rejects, with the library's reason.
  static func corruptData(
    _ format: String, _ detail: String, at offset: Int64, in file: String?
  ) -> ArchiveError {
    ArchiveError(
      .corrupt, "corrupt \(format) data (\(detail))", offset: offset, unit: .fileByte, file: file)
  }
}
