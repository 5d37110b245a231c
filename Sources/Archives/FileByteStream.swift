/// The bytes of a file, read through POSIX `open`/`read`, counting how many were consumed.
///
/// A class because it owns a file descriptor: the descriptor is closed by ``close()`` or when the
/// last reference goes away. Skipping seeks in regular files instead of reading.
public final class FileByteStream: ByteStream {
  /// The path the file was opened at, used in error messages.
  public let path: String
  /// How many bytes have been read or skipped from the start of the file.
  public private(set) var offset: Int64 = 0
  private var descriptor: Int32

  public var name: String? { path }

  /// Opens `path` for reading.
  ///
  /// - Throws: ``ArchiveError`` (``ArchiveError/Kind/io``) naming the path and the system's
  ///   reason when the file cannot be opened.
  public init(path: String) throws {
    switch SystemCalls.openForReading(path) {
    case .success(let descriptor): self.descriptor = descriptor
    case .failure(let failure): throw ArchiveError.cannotOpen(path, failure)
    }
    self.path = path
  }

  deinit { close() }

  /// Closes the file, after which reads throw; closing twice does nothing.
  public func close() {
    guard descriptor >= 0 else { return }
    SystemCalls.close(descriptor)
    descriptor = -1
  }

  public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    guard let base = buffer.baseAddress, !buffer.isEmpty else { return 0 }
    guard descriptor >= 0 else {
      throw ArchiveError(.io, "read after close", offset: offset, file: path)
    }
    switch SystemCalls.read(descriptor, into: base, count: buffer.count) {
    case .success(let count):
      offset += Int64(count)
      return count
    case .failure(let failure):
      throw ArchiveError.cannotRead(path, at: offset, failure)
    }
  }

  public func skip(_ count: Int64) throws -> Int64 {
    guard count > 0 else { return 0 }
    guard descriptor >= 0, let size = SystemCalls.regularFileSize(descriptor) else {
      return try discard(count) { try read(into: $0) }
    }
    let skipped = min(count, max(0, size - offset))
    guard SystemCalls.seekForward(descriptor, by: skipped) else {
      return try discard(count) { try read(into: $0) }
    }
    offset += skipped
    return skipped
  }
}
