#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A file being extracted: created exclusively (never over an existing file or through a
/// link), written front to back, then given its mode, owner and time.
///
/// A class because it owns a file descriptor, closed by ``finish(mode:owner:modificationTime:)``
/// or, after an error, when the last reference goes away.
final class OutputFile {
  /// How many written bytes wait before their write-back is started: 8 MiB.
  static let writeBackStride: Int64 = 8 << 20
  /// The most one `write` call passes to Linux: 64 KiB, even from a 1 MiB buffer.
  ///
  /// Linux (6.x, ext4 among others) keeps a file's pages in the page cache in blocks
  /// ("folios") as large as the writes that made them, and PostgreSQL then writes the data
  /// files 8 kB at a time during redo: each such write into a large folio costs the kernel
  /// more (and dirties the whole folio). On this project's machine, 150,000 random 8 kB
  /// writes into a 384 MiB file took 1.8 s of system CPU when the file had been written 1 MiB
  /// at a time, 0.9 s at 256 KiB, 0.6 s at 64 KiB; with 1 MiB writes the restored server's
  /// redo in `bench/pgbackrest.sh` spent a third more system CPU (docs/benchmarks.md).
  static let writeSize = 64 << 10

  /// The file's path.
  let path: String
  private var descriptor: Int32
  /// Whether to start the write-back of the bytes as they are written.
  private let writesBack: Bool
  /// How many bytes have been written, and how many of them had their write-back started.
  private var written: Int64 = 0
  private var writtenBack: Int64 = 0

  /// Creates the file at `path` with mode 0600; fails if anything is already there.
  ///
  /// - Parameter writeBack: Whether to start writing the file's bytes to disk as they come
  ///   (every ``writeBackStride`` bytes, and the rest at ``finish(mode:owner:modificationTime:)``),
  ///   for a tree that is made durable at the end.
  init(creating path: String, writeBack: Bool = true) throws {
    self.path = path
    writesBack = writeBack
    descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else { throw ExtractionError.io("create", path, code: errno) }
  }

  deinit { closeDescriptor() }

  /// Writes all of `bytes`.
  func write(_ bytes: UnsafeRawBufferPointer) throws {
    guard let base = bytes.baseAddress else { return }
    var done = 0
    while done < bytes.count {
      let length = min(bytes.count - done, Self.writeSize)
      #if canImport(Glibc)
        let count = Glibc.write(descriptor, base + done, length)
      #else
        let count = Darwin.write(descriptor, base + done, length)
      #endif
      if count < 0, errno == EINTR { continue }
      guard count > 0 else { throw ExtractionError.io("write", path, code: errno) }
      done += count
    }
    written += Int64(bytes.count)
    if writesBack, written - writtenBack >= Self.writeBackStride { startWriteBack() }
  }

  /// Gives the file its owner, mode and modification time, and closes it.
  ///
  /// - Parameters:
  ///   - mode: The permission bits.
  ///   - owner: Who owns it; nil keeps this process's user.
  ///   - modificationTime: Seconds since 1970; nil keeps the time of writing.
  func finish(mode: UInt32, owner: FileOwner?, modificationTime: Int64?) throws {
    if let owner, fchown(descriptor, owner.uid, owner.gid) != 0 {
      throw ExtractionError.io("change the owner of", path, code: errno)
    }
    guard fchmod(descriptor, mode_t(mode)) == 0 else {
      throw ExtractionError.io("change the mode of", path, code: errno)
    }
    if let modificationTime {
      let time = timespec(tv_sec: time_t(modificationTime), tv_nsec: 0)
      guard futimens(descriptor, [time, time]) == 0 else {
        throw ExtractionError.io("set the modification time of", path, code: errno)
      }
    }
    if writesBack { startWriteBack() }
    let result = close(descriptor)
    descriptor = -1
    guard result == 0 else { throw ExtractionError.io("close", path, code: errno) }
  }

  /// Asks Linux to start writing the bytes written since the last call to disk now
  /// (`sync_file_range` with `SYNC_FILE_RANGE_WRITE`, which does not wait for the disk), so
  /// the disk works while the rest of the file and the next files are decompressed, and the
  /// tree's final `syncfs` has little left to wait for. Without it nothing would reach the
  /// disk before that `syncfs` (Linux waits for a tenth of memory to be dirty). It promises
  /// nothing: durability still comes from that `syncfs`.
  private func startWriteBack() {
    guard written > writtenBack else { return }
    _ = Self.syncFileRange?(descriptor, writtenBack, written - writtenBack, 2)  // SYNC_FILE_RANGE_WRITE
    writtenBack = written
  }

  /// glibc's `sync_file_range`, which Swift's Glibc module does not import (a GNU extension).
  private static let syncFileRange: (@convention(c) (Int32, Int64, Int64, UInt32) -> Int32)? = {
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "sync_file_range") else {
      return nil
    }
    return unsafeBitCast(symbol, to: (@convention(c) (Int32, Int64, Int64, UInt32) -> Int32).self)
  }()

  private func closeDescriptor() {
    guard descriptor >= 0 else { return }
    close(descriptor)
    descriptor = -1
  }
}
