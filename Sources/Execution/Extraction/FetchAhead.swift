import Archives
import Foundation
import Storage

/// The files of a remote extraction (a plain backup's files, a tar backup's archives), each
/// one's first range fetched while the ones before it are being written.
///
/// Files are taken strictly in order with ``stream(_:)``. Taking file `i` makes sure the
/// first ranges of files `i+1 … i+depth` are in flight (one `read(path, range:)` each on a
/// thread of the global pool: for S3 one ranged GET pinned to the listed ETag). A file's
/// stream is that first range followed by the rest of the file from `store.open` (opened
/// only when the file is larger than its first range), so small files cost one request and
/// no HEAD. Memory ahead is bounded: at most `depth` files of at most ``firstRangeBytes``
/// each (4 × 8 MiB = 32 MiB), beside the file being written.
///
/// Every check stays where it was: the size and checksum against the manifest as the bytes
/// are written, the ETag pin of every request of the store. A fetch ahead that fails (the
/// object removed or rewritten, the connection dropped) is only noticed at that file's turn,
/// which then opens the file as it would without fetching ahead: files before it are
/// written first, the error is the one an ordinary open gives, and a dropped connection is
/// resumed where the store's streams resume.
///
/// A class because it owns the fetches in flight, shared with their threads.
final class FetchAhead: @unchecked Sendable {
  /// One file: its full path as the store names it and the size the listing gave.
  struct File: Sendable {
    let path: String
    let size: Int64
  }

  /// How many files are fetched ahead of the one being written, unless
  /// `PITR_FETCH_AHEAD` says another number (0: none, each file opened in turn).
  static let defaultDepth = 4
  /// The most of one file fetched ahead: 8 MiB.
  static let firstRangeBytes: Int64 = 8 << 20
  /// The environment variable setting the depth (for measurements).
  static let depthVariable = "PITR_FETCH_AHEAD"

  private let files: [File]
  private let store: any RepositoryStore
  private let depth: Int
  private var taken = 0
  private var fetches: [Int: Fetch] = [:]

  init(_ files: [File], store: any RepositoryStore, depth: Int = FetchAhead.configuredDepth) {
    self.files = files
    self.store = store
    self.depth = max(0, depth)
  }

  /// ``defaultDepth``, or the depth `PITR_FETCH_AHEAD` names (0 to 16).
  static var configuredDepth: Int {
    guard let text = ProcessInfo.processInfo.environment[depthVariable], let value = Int(text) else {
      return defaultDepth
    }
    return min(16, max(0, value))
  }

  /// The stream of file `index`, which must be the next one not yet taken.
  func stream(_ index: Int) throws -> any ByteStream {
    precondition(index == taken, "files are taken in order")
    taken += 1
    let file = files[index]
    guard depth > 0 else { return try store.open(file.path) }
    let fetch = fetches.removeValue(forKey: index) ?? start(index)
    for ahead in (index + 1)..<min(files.count, index + 1 + depth) where fetches[ahead] == nil {
      fetches[ahead] = start(ahead)
    }
    // A fetch ahead that failed is done again in turn the ordinary way: its error is then
    // the store's own (an object removed or rewritten), and a dropped connection is resumed
    // as the store's streams resume.
    guard let first = try? fetch.wait() else { return try store.open(file.path) }
    let wanted = min(file.size, Self.firstRangeBytes)
    if first.count < wanted {
      throw StorageError(
        .failed, path: file.path,
        reason:
          "it changed since it was listed (\(file.size) bytes then, \(first.count) now); something rewrote it: run again once its writer is done"
      )
    }
    return PrefixedByteStream(
      prefix: first, rest: RestOfFile(store: store, path: file.path, offset: Int64(first.count), size: file.size))
  }

  /// Starts fetching file `index`'s first range.
  private func start(_ index: Int) -> Fetch {
    let file = files[index]
    return Fetch(store: store, path: file.path, range: 0..<min(file.size, Self.firstRangeBytes))
  }

  /// One first range being read on a thread of the global pool.
  private final class Fetch: @unchecked Sendable {
    private var result: Result<[UInt8], any Error> = .success([])
    private let done = DispatchSemaphore(value: 0)
    private var waited = false

    init(store: any RepositoryStore, path: String, range: Range<Int64>) {
      DispatchQueue.global().async { [self] in
        result = Result { try store.read(path, range: range) }
        done.signal()
      }
    }

    func wait() throws -> [UInt8] {
      if !waited {
        done.wait()
        waited = true
      }
      return try result.get()
    }
  }
}

/// A file from `offset` on, opened (and moved to `offset`) at its first read: never opened
/// when the first range held the whole file.
private struct RestOfFile: ByteStream {
  let store: any RepositoryStore
  let path: String
  let offset: Int64
  let size: Int64
  private var opened: (any ByteStream)?

  init(store: any RepositoryStore, path: String, offset: Int64, size: Int64) {
    self.store = store
    self.path = path
    self.offset = offset
    self.size = size
  }

  var name: String? { path }

  mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    guard try openIfNeeded() else { return 0 }
    return try opened!.read(into: buffer)
  }

  mutating func skip(_ count: Int64) throws -> Int64 {
    guard try openIfNeeded() else { return 0 }
    return try opened!.skip(count)
  }

  /// Opens the stream from `offset` on; false when the file ends there.
  private mutating func openIfNeeded() throws -> Bool {
    if opened == nil {
      guard offset < size else { return false }
      var stream = try store.open(path)
      let skipped = try stream.skip(offset)
      guard skipped == offset else {
        throw StorageError(
          .failed, path: path,
          reason:
            "it changed since it was listed (\(size) bytes then, \(skipped) now); something rewrote it: run again once its writer is done"
        )
      }
      opened = stream
    }
    return true
  }
}
