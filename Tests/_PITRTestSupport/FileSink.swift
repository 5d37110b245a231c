#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A file written front to back through POSIX `write`, so fixtures of any size can be streamed
/// to disk without being held in memory.
public final class FileSink: ByteSink {
  /// The file's path.
  public let path: String
  /// How many bytes have been written.
  public private(set) var bytesWritten: Int64 = 0
  private var descriptor: Int32

  /// Creates (or truncates) the file at `path`.
  public init(path: String) throws {
    descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    self.path = path
    guard descriptor >= 0 else { throw FixtureError("cannot create \(path) (errno \(errno))") }
  }

  deinit { close() }

  public func write(_ bytes: UnsafeRawBufferPointer) throws {
    var done = 0
    while done < bytes.count, let base = bytes.baseAddress {
      #if canImport(Glibc)
        let count = Glibc.write(descriptor, base + done, bytes.count - done)
      #else
        let count = Darwin.write(descriptor, base + done, bytes.count - done)
      #endif
      if count < 0, errno == EINTR { continue }
      guard count > 0 else { throw FixtureError("cannot write \(path) (errno \(errno))") }
      done += count
    }
    bytesWritten += Int64(bytes.count)
  }

  /// Closes the file, after which writes fail; closing twice does nothing.
  public func close() {
    guard descriptor >= 0 else { return }
    #if canImport(Glibc)
      _ = Glibc.close(descriptor)
    #else
      _ = Darwin.close(descriptor)
    #endif
    descriptor = -1
  }
}
