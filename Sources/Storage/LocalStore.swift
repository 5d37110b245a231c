import Archives

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A repository in a folder on this machine: listed by ``DirectoryWalker``, read with POSIX
/// `pread` and streamed by `FileByteStream`. Paths are plain absolute paths.
public struct LocalStore: RepositoryStore {
  public init() {}

  public func list(under root: String) throws -> StoreListing {
    var info = stat()
    guard stat(root, &info) == 0 else { throw Self.error(root, errno) }
    guard info.st_mode & S_IFMT == S_IFDIR else {
      throw StorageError(.notAFolder, path: root, reason: "not a folder")
    }
    var walker = DirectoryWalker(detail: .sizeAndTime)
    var files: [StoredFile] = []
    walker.walk(root) { entry in
      files.append(StoredFile(path: entry.path, size: entry.size, modified: entry.modified))
    }
    files.sort { $0.path < $1.path }
    let problems = walker.problems.map { problem in
      StorageError(.failed, path: problem.path, reason: problem.reason)
    }
    return StoreListing(files: files, problems: problems)
  }

  public func read(_ path: String, range: Range<Int64>?) throws -> [UInt8] {
    let descriptor = openForReading(path)
    guard descriptor >= 0 else { throw Self.error(path, errno) }
    defer { closeFile(descriptor) }
    var info = stat()
    guard fstat(descriptor, &info) == 0 else { throw Self.error(path, errno) }
    guard info.st_mode & S_IFMT == S_IFREG else {
      throw StorageError(.failed, path: path, reason: "not a regular file")
    }
    let size = Int64(info.st_size)
    let wanted = range ?? 0..<size
    let start = min(max(wanted.lowerBound, 0), size)
    let end = min(max(wanted.upperBound, start), size)
    var bytes = [UInt8](repeating: 0, count: Int(end - start))
    var filled = 0
    while filled < bytes.count {
      let got = bytes.withUnsafeMutableBytes { buffer in
        pread(
          descriptor, buffer.baseAddress! + filled, buffer.count - filled,
          off_t(start + Int64(filled)))
      }
      if got < 0 {
        if errno == EINTR { continue }
        throw Self.error(path, errno)
      }
      if got == 0 { break }  // the file shrank while we read it
      filled += got
    }
    return filled == bytes.count ? bytes : Array(bytes[..<filled])
  }

  public func open(_ path: String) throws -> any ByteStream {
    do {
      return try FileByteStream(path: path)
    } catch {
      throw Self.error(path, errno, fallback: "\(error)")
    }
  }

  private static func error(_ path: String, _ code: Int32, fallback: String? = nil) -> StorageError {
    let reason = fallback ?? String(cString: strerror(code))
    switch code {
    case ENOENT, ENOTDIR: return StorageError(.notFound, path: path, reason: String(cString: strerror(code)))
    case EACCES, EPERM: return StorageError(.denied, path: path, reason: String(cString: strerror(code)))
    default: return StorageError(.failed, path: path, reason: reason)
    }
  }
}

private func openForReading(_ path: String) -> Int32 {
  #if canImport(Glibc)
    Glibc.open(path, O_RDONLY | O_CLOEXEC)
  #else
    Darwin.open(path, O_RDONLY | O_CLOEXEC)
  #endif
}

private func closeFile(_ descriptor: Int32) {
  #if canImport(Glibc)
    _ = Glibc.close(descriptor)
  #else
    _ = Darwin.close(descriptor)
  #endif
}
