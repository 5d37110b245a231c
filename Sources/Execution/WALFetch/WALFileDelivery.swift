import Archives
import Storage
import WAL

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Puts one WAL file at the path PostgreSQL gave (`%p`): decompressed when its first bytes
/// say gzip, checked when it is a segment, flushed to disk and renamed into place, so `%p`
/// never holds half a file or a file that failed a check.
///
/// A segment must start with the long page header of the segment it is named after (see
/// ``SegmentHeaderCheck``) and be exactly as long as that header's segment size. Timeline
/// and backup history files are copied as they are.
struct WALFileDelivery {
  /// The size of the buffer a file is copied through.
  private static let chunkSize = 1 << 20

  /// The check a segment must pass; `nil` for other files.
  var check: SegmentHeaderCheck?
  /// Where the file goes: `%p`.
  var destination: String

  /// Decompresses or copies the archived file at `source` to the destination.
  ///
  /// - Throws: ``WALFetchError``: ``WALFetchError/Kind/damaged`` for a file that fails a
  ///   check or whose compressed data is corrupt, ``WALFetchError/Kind/unsupportedCompression``
  ///   for bzip2 and xz, ``WALFetchError/Kind/io`` when reading or writing fails.
  ///   Nothing is left at the destination then.
  func copy(from source: String) throws {
    var stream = try Self.openSource(source)
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.chunkSize, alignment: 16)
    defer { buffer.deallocate() }
    var count = try Self.reading(source) { try stream.readFully(into: buffer) }
    let expected = try check?.check(buffer[..<count], file: source).bytes
    let writer = try AtomicFileWriter(destination: destination)
    var total: UInt64 = 0
    while count > 0 {
      total += UInt64(count)
      if let expected, total > expected {
        throw WALFetchError(
          .damaged, file: source,
          "holds more than the \(expected) bytes of a segment; it is not one segment")
      }
      try writer.write(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
      count = try Self.reading(source) { try stream.read(into: buffer) }
    }
    if let expected, total != expected {
      throw WALFetchError(
        .damaged, file: source,
        "holds \(total) bytes, but a segment is \(expected) bytes: it is truncated")
    }
    try writer.commit()
  }

  /// Moves a file the prefetch step decompressed into the spool onto the destination,
  /// after the same checks as ``copy(from:)``; a compressed one, or one on another file
  /// system, is copied and then removed.
  func move(from spooled: String) throws {
    guard try Self.reading(spooled, { try CompressionKind.detect(path: spooled) }) == .none else {
      try copy(from: spooled)
      unlink(spooled)
      return
    }
    let descriptor = open(spooled, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { throw AtomicFileWriter.failure("cannot open it", file: spooled) }
    defer { close(descriptor) }
    if let check {
      var head = [UInt8](repeating: 0, count: WALPageHeader.longSize)
      let count = head.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
      let expected = try check.check(head.prefix(max(count, 0)), file: spooled).bytes
      var info = stat()
      guard fstat(descriptor, &info) == 0, UInt64(info.st_size) == expected else {
        throw WALFetchError(
          .damaged, file: spooled,
          "holds \(info.st_size) bytes, but a segment is \(expected) bytes")
      }
    }
    guard fsync(descriptor) == 0 else {
      throw AtomicFileWriter.failure("cannot flush it to disk", file: spooled)
    }
    if rename(spooled, destination) == 0 { return }
    guard errno == EXDEV else {
      throw AtomicFileWriter.failure("cannot move it to \(destination)", file: spooled)
    }
    try copy(from: spooled)
    unlink(spooled)
  }

  // MARK: - Reading

  /// Opens `source`, decompressing gzip, zstd and lz4; bzip2 and xz are refused.
  private static func openSource(_ source: String) throws -> RepositoryStream {
    // A remote file's compression comes from the stream's first bytes: one command, not two.
    // (bzip2 and xz are told below, by the probe, with the fix.)
    let opened: RepositoryStream? =
      RepositoryStores.isRemote(source)
      ? try reading(source) {
        do {
          return try RepositoryStores.current.openDecompressed(source)
        } catch let error as ArchiveError where error.kind == .unsupportedCompression {
          return nil
        }
      } : nil
    let kind = try opened?.compression ?? reading(source) { try RepositoryStores.current.compression(of: source) }
    guard kind.isReadable else {
      throw WALFetchError(
        .unsupportedCompression, file: source,
        "compressed with \(kind), which pitr cannot decompress; archive WAL with gzip, zstd or "
          + "lz4, or decompress the file")
    }
    if let opened { return opened }
    return try reading(source) { try RepositoryStores.current.openDecompressed(source) }
  }

  /// Runs `body`, turning the ``ArchiveError`` it throws into a ``WALFetchError`` on `source`.
  private static func reading<T>(_ source: String, _ body: () throws -> T) throws -> T {
    do {
      return try body()
    } catch let error as ArchiveError {
      let kind: WALFetchError.Kind =
        switch error.kind {
        case .io: .io
        case .unsupportedCompression: .unsupportedCompression
        case .truncated, .corrupt, .checksumMismatch, .tooLarge: .damaged
        }
      var failure = WALFetchError(kind, file: source, error.description)
      if error.description.contains(source) { failure.description = error.description }
      throw failure
    }
  }
}
