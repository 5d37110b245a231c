/// Reads a tar archive from a stream one entry at a time, without holding entries in memory.
///
/// Understands POSIX ustar (name + prefix), pax extended headers (`x` for one entry, `g` for
/// all that follow: `path`, `linkpath`, `size`, `mtime`, `uid`, `gid`, `uname`, `gname`), GNU long
/// names and long link names (`L`, `K`) and GNU base-256 numbers. Every header's checksum is
/// verified. The archive ends at a zero block (normally two) or at a clean end of the stream on a
/// block boundary; anything shorter is a truncation error.
///
/// ```swift
/// var reader = TarReader(try DecompressedFileStream(path: "base.tar.gz"))
/// while let entry = try reader.next() {
///   if entry.archivePath.normalized == "backup_label" {
///     label = try reader.readAll(limit: 1 << 20)
///     break
///   }
/// }
/// ```
///
/// Data the caller does not read is skipped by ``next()`` (by seeking, for plain files).
/// After an error the reader stays failed: every later call throws the same error.
public struct TarReader<Source: ByteStream> {
  /// The most bytes of pax or GNU long-name metadata one header may carry.
  public static var metadataLimit: Int { 1 << 20 }

  /// The stream the archive is read from (to ask it, say, how many compressed bytes it read).
  public internal(set) var source: Source
  /// How many bytes of the tar stream have been consumed.
  public internal(set) var offset: Int64 = 0
  /// The entry ``next()`` returned last, while its data can still be read.
  public private(set) var currentEntry: TarEntry?
  var dataRemaining: Int64 = 0
  var paddingRemaining: Int64 = 0
  var globalRecords = PaxRecords()
  private var finished = false
  private var failure: (any Error)?

  /// Reads the archive in `source`, which must be positioned at the archive's start.
  public init(_ source: Source) {
    self.source = source
  }

  /// How many data bytes of the current entry have not been read yet.
  public var unreadDataCount: Int64 { dataRemaining }

  /// Moves to the next entry, skipping whatever data of the current one was not read.
  ///
  /// - Returns: The entry, or nil at the end of the archive.
  /// - Throws: ``ArchiveError`` for a bad checksum, a malformed header or a truncated archive,
  ///   naming the offset of the header (or data) at fault.
  public mutating func next() throws -> TarEntry? {
    try failIfFailed {
      try $0.skipData()
      $0.currentEntry = nil
      if $0.finished { return nil }
      let entry = try $0.readEntry()
      $0.currentEntry = entry
      $0.finished = entry == nil
      return entry
    }
  }

  /// Reads the current entry's next bytes into `buffer`.
  ///
  /// - Returns: How many bytes were read: 0 once all the entry's data has been read.
  /// - Throws: ``ArchiveError`` (``ArchiveError/Kind/truncated``) when the stream ends inside
  ///   the data, or whatever the source throws.
  public mutating func readData(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    try failIfFailed {
      guard $0.dataRemaining > 0, !buffer.isEmpty else { return 0 }
      let wanted = Int(min(Int64(buffer.count), $0.dataRemaining))
      let count = try $0.source.read(
        into: UnsafeMutableRawBufferPointer(rebasing: buffer[..<wanted]))
      guard count > 0 else { throw $0.dataTruncated() }
      $0.offset += Int64(count)
      $0.dataRemaining -= Int64(count)
      return count
    }
  }

  /// Reads the rest of the current entry's data into memory.
  ///
  /// - Parameter limit: The most bytes to accept; larger entries are refused, not read.
  /// - Returns: The unread data (all of it, if none was read yet).
  /// - Throws: ``ArchiveError`` (``ArchiveError/Kind/tooLarge``) when more than `limit` bytes
  ///   remain (the reader stays usable), or as ``readData(into:)``.
  public mutating func readAll(limit: Int) throws -> [UInt8] {
    if let failure { throw failure }
    guard dataRemaining <= Int64(max(0, limit)) else {
      let path = currentEntry?.path ?? ""
      throw ArchiveError(
        .tooLarge,
        "tar entry '\(path)' is too large to read into memory"
          + " (\(dataRemaining) bytes, limit \(limit))",
        offset: currentEntry?.headerOffset, file: source.name)
    }
    var data = [UInt8](repeating: 0, count: Int(dataRemaining))
    _ = try data.withUnsafeMutableBytes { buffer in
      try fill(buffer) { try readData(into: $0) }
    }
    return data
  }

  /// Skips the rest of the current entry's data and its padding, without holding it in memory.
  ///
  /// - Throws: ``ArchiveError`` (``ArchiveError/Kind/truncated``) when the stream ends first.
  public mutating func skipData() throws {
    try failIfFailed {
      let count = $0.dataRemaining + $0.paddingRemaining
      guard count > 0 else { return }
      let skipped = try $0.source.skip(count)
      $0.offset += skipped
      let dataSkipped = min(skipped, $0.dataRemaining)
      $0.dataRemaining -= dataSkipped
      $0.paddingRemaining -= skipped - dataSkipped
      if $0.dataRemaining > 0 { throw $0.dataTruncated() }
      if $0.paddingRemaining > 0 {
        throw ArchiveError(
          .truncated, "tar archive truncated inside the padding after an entry's data",
          offset: $0.offset, file: $0.source.name)
      }
    }
  }

  // MARK: - Helpers

  /// Runs `body` unless the reader has failed; an error it throws makes the reader fail.
  private mutating func failIfFailed<T>(_ body: (inout TarReader) throws -> T) throws -> T {
    if let failure { throw failure }
    do {
      return try body(&self)
    } catch {
      failure = error
      throw error
    }
  }

  /// The error for an entry whose data the stream ends inside.
  private func dataTruncated() -> ArchiveError {
    let path = currentEntry.map { " of '\($0.path)'" } ?? ""
    return ArchiveError(
      .truncated,
      "tar archive truncated inside the data\(path) (\(dataRemaining) bytes missing)",
      offset: offset, file: source.name)
  }
}
