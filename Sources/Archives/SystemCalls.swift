#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// The few POSIX calls the streams make, retried on `EINTR` and named so they cannot be confused
/// with the streams' own `read` methods.
enum SystemCalls {
  /// Opens a file read-only; returns the descriptor or the `errno` of the failure.
  static func openForReading(_ path: String) -> Result<Int32, Failure> {
    while true {
      let descriptor = open(path, O_RDONLY | O_CLOEXEC)
      if descriptor >= 0 { return .success(descriptor) }
      if errno != EINTR { return .failure(Failure(code: errno)) }
    }
  }

  /// Reads up to `count` bytes; returns how many (0 at the end of the file) or the failure.
  static func read(
    _ descriptor: Int32, into base: UnsafeMutableRawPointer, count: Int
  ) -> Result<Int, Failure> {
    while true {
      #if canImport(Darwin)
        let result = Darwin.read(descriptor, base, count)
      #elseif canImport(Musl)
        let result = Musl.read(descriptor, base, count)
      #else
        let result = Glibc.read(descriptor, base, count)
      #endif
      if result >= 0 { return .success(result) }
      if errno != EINTR { return .failure(Failure(code: errno)) }
    }
  }

  /// Moves the file position forward by `count` bytes.
  static func seekForward(_ descriptor: Int32, by count: Int64) -> Bool {
    lseek(descriptor, off_t(count), SEEK_CUR) >= 0
  }

  /// The size of a regular file, or nil for anything else (pipes, devices, directories).
  static func regularFileSize(_ descriptor: Int32) -> Int64? {
    var info = stat()
    guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
    return Int64(info.st_size)
  }

  /// Closes a descriptor; not retried on `EINTR`, as POSIX leaves the descriptor's state unknown.
  static func close(_ descriptor: Int32) {
    #if canImport(Darwin)
      _ = Darwin.close(descriptor)
    #elseif canImport(Musl)
      _ = Musl.close(descriptor)
    #else
      _ = Glibc.close(descriptor)
    #endif
  }

  /// An `errno` value with its message.
  struct Failure: Error {
    /// The `errno` value.
    var code: Int32

    /// The C library's text for the code, such as "No such file or directory".
    var message: String { String(cString: strerror(code)) }
  }
}
