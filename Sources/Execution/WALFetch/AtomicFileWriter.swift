#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Writes a file so that its final path never holds half of it: the bytes go to
/// `<destination>.pitr-tmp-<pid>` in the same folder, which ``commit(sync:)`` flushes to disk
/// and renames onto the destination in one step.
///
/// A class because it owns a file descriptor and a temporary file; both are removed if the
/// writer goes away without a commit.
final class AtomicFileWriter {
  /// The path the file gets on commit.
  let destination: String
  /// Where the bytes are written until then.
  let temporary: String
  private var descriptor: Int32
  private var isFinished = false

  /// Creates the temporary file (mode 0600, as PostgreSQL's own files), replacing a stale one.
  ///
  /// - Throws: ``WALFetchError`` (``WALFetchError/Kind/io``) when it cannot be created.
  init(destination: String) throws {
    self.destination = destination
    temporary = "\(destination).pitr-tmp-\(getpid())"
    descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else {
      throw Self.failure("cannot create \(temporary)", file: destination)
    }
  }

  deinit { discard() }

  /// Appends `bytes`.
  func write(_ bytes: UnsafeRawBufferPointer) throws {
    var offset = 0
    while offset < bytes.count {
      #if canImport(Glibc)
        let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
      #else
        let written = Darwin.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
      #endif
      if written < 0 {
        if errno == EINTR { continue }
        throw Self.failure("cannot write \(temporary)", file: destination)
      }
      offset += written
    }
  }

  /// Flushes the file to disk when `sync` says so, closes it and renames it onto the
  /// destination.
  func commit(sync: Bool = true) throws {
    if sync, fsync(descriptor) != 0 {
      throw Self.failure("cannot flush \(temporary) to disk", file: destination)
    }
    let closed = close(descriptor)
    descriptor = -1
    guard closed == 0 else { throw Self.failure("cannot close \(temporary)", file: destination) }
    guard rename(temporary, destination) == 0 else {
      throw Self.failure("cannot rename \(temporary) onto it", file: destination)
    }
    isFinished = true
  }

  /// Closes and removes the temporary file; the destination is left as it was.
  func discard() {
    guard !isFinished else { return }
    isFinished = true
    if descriptor >= 0 { close(descriptor) }
    descriptor = -1
    unlink(temporary)
  }

  /// An I/O error with the system's reason, read from `errno` now.
  static func failure(_ what: String, file: String) -> WALFetchError {
    WALFetchError(.io, file: file, "\(what): \(String(cString: strerror(errno)))")
  }
}
