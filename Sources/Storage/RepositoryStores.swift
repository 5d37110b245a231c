import Archives

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Which store reads which path, chosen once per run from the plan's locations: local paths
/// (starting with `/`) go to ``LocalStore``; a remote path (`ssh://host/…`, `s3://bucket/…`)
/// goes to the store registered for its prefix (`ssh://user@host:port`, `s3://bucket`).
///
/// The catalog and the executor never pick a store themselves: the command that runs (pitr
/// `catalog`, `plan`, `apply`, `wal-fetch`) builds one value with the stores the plan needs
/// (the factory lives in PITRCommands, so Catalog depends on neither SSH nor S3) and installs
/// it for the run with ``install(_:)``; readers ask ``current``. Local paths never look the
/// registry up, so a run with local locations only reads exactly as before.
public struct RepositoryStores: Sendable {
  /// The remote stores, by the prefix their paths start with (no trailing `/`).
  public private(set) var remotes: [String: any RepositoryStore]

  /// Local paths only.
  public static let local = RepositoryStores()

  public init(remotes: [String: any RepositoryStore] = [:]) {
    self.remotes = remotes
  }

  /// Whether `path` is a URL (`scheme://…`) rather than a path on this machine.
  public static func isRemote(_ path: String) -> Bool {
    !path.hasPrefix("/") && path.contains("://")
  }

  /// The store that reads `path`.
  ///
  /// - Throws: ``StorageError`` when `path` is remote and no store was registered for it.
  public func store(for path: String) throws -> any RepositoryStore {
    guard Self.isRemote(path) else { return LocalStore() }
    for (prefix, store) in remotes where path == prefix || path.hasPrefix(prefix + "/") {
      return store
    }
    throw StorageError(.failed, path: path, reason: "no store was set up for this location")
  }

  /// The bytes of `path` in `range` (the whole file for `nil`), through its store.
  public func read(_ path: String, range: Range<Int64>? = nil) throws -> [UInt8] {
    try store(for: path).read(path, range: range)
  }

  /// The first `length` bytes of each file, in order, each through its store
  /// (``RepositoryStore/readStarts(of:length:)``: many per request where the store can).
  public func readStarts(of files: [StoredFile], length: Int64) -> [Result<[UInt8], any Error>] {
    var results = [Result<[UInt8], any Error>?](repeating: nil, count: files.count)
    var groups: [String: (store: any RepositoryStore, indexes: [Int])] = [:]
    for (index, file) in files.enumerated() {
      let key: String
      let store: any RepositoryStore
      do {
        store = try self.store(for: file.path)
        key = Self.isRemote(file.path) ? (remotes.first { file.path.hasPrefix($0.key + "/") }?.key ?? "") : ""
      } catch {
        results[index] = .failure(error)
        continue
      }
      groups[key, default: (store, [])].indexes.append(index)
    }
    for (_, group) in groups {
      let read = group.store.readStarts(of: group.indexes.map { files[$0] }, length: length)
      for (index, result) in zip(group.indexes, read) { results[index] = result }
    }
    return results.map { $0! }
  }

  /// Each of `files` whole, in order, through their stores
  /// (``RepositoryStore/readWhole(_:consume:)``: many per request where the store can); a run
  /// of files of one store is read together. `consume` gets each file's index in `files`.
  public func readWhole(_ files: [StoredFile], consume: (Int, [UInt8]?) -> Bool) {
    var start = 0
    while start < files.count {
      guard let store = try? store(for: files[start].path) else {
        guard consume(start, nil) else { return }
        start += 1
        continue
      }
      let key = prefix(of: files[start].path)
      var end = start + 1
      while end < files.count, prefix(of: files[end].path) == key { end += 1 }
      var stopped = false
      store.readWhole(Array(files[start..<end])) { index, bytes in
        stopped = !consume(start + index, bytes)
        return !stopped
      }
      if stopped { return }
      start = end
    }
  }

  /// The registered prefix a remote path is read under (`""` for a local path or none).
  private func prefix(of path: String) -> String {
    guard Self.isRemote(path) else { return "" }
    return remotes.keys.first { path == $0 || path.hasPrefix($0 + "/") } ?? ""
  }

  /// `path`'s bytes decompressed (gzip, zstd, lz4, told by the first bytes, as
  /// `DecompressedFileStream` does for a local file), streamed through its store.
  public func openDecompressed(_ path: String) throws -> RepositoryStream {
    guard Self.isRemote(path) else {
      let local = try DecompressedFileStream(path: path)
      return RepositoryStream(local, compression: local.compression)
    }
    var raw = try store(for: path).open(path)
    var head = [UInt8](repeating: 0, count: CompressionKind.magicLength)
    let count = try head.withUnsafeMutableBytes { try raw.readFully(into: $0) }
    head.removeSubrange(count...)
    let compression = CompressionKind.detect(head)
    let stream = PrefixedByteStream(prefix: head, rest: raw)
    return RepositoryStream(try compression.decompressing(stream) ?? stream, compression: compression)
  }

  /// A file's bytes already read whole (``readWhole(_:consume:)``), decompressed as
  /// ``openDecompressed(_:)`` would stream them; `path` names the stream in messages.
  public static func decompressed(_ bytes: [UInt8], path: String) throws -> RepositoryStream {
    let stream = MemoryByteStream(bytes, name: path)
    let compression = CompressionKind.detect(Array(bytes.prefix(CompressionKind.magicLength)))
    return RepositoryStream(try compression.decompressing(stream) ?? stream, compression: compression)
  }

  /// The compression of `path`, from its first bytes.
  public func compression(of path: String) throws -> CompressionKind {
    guard Self.isRemote(path) else { return try CompressionKind.detect(path: path) }
    return CompressionKind.detect(
      try read(path, range: 0..<Int64(CompressionKind.magicLength)))
  }

  // MARK: - The run's stores

  nonisolated(unsafe) private static var installed = RepositoryStores.local
  nonisolated(unsafe) private static var lock = pthread_mutex_t()
  nonisolated(unsafe) private static var lockReady: Void = { pthread_mutex_init(&lock, nil) }()

  /// The stores of this run (``local`` until one is installed).
  public static var current: RepositoryStores {
    _ = lockReady
    pthread_mutex_lock(&lock)
    defer { pthread_mutex_unlock(&lock) }
    return installed
  }

  /// Makes `stores` the ones this run reads through.
  public static func install(_ stores: RepositoryStores) {
    _ = lockReady
    pthread_mutex_lock(&lock)
    defer { pthread_mutex_unlock(&lock) }
    installed = stores
  }
}

/// Bytes already read from a stream (its first bytes, read to tell its compression) followed
/// by the rest of it.
public struct PrefixedByteStream: ByteStream {
  private var prefix: [UInt8]
  private var position = 0
  private var rest: any ByteStream

  public init(prefix: [UInt8], rest: any ByteStream) {
    self.prefix = prefix
    self.rest = rest
  }

  public var name: String? { rest.name }

  public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    guard !buffer.isEmpty else { return 0 }
    if position < prefix.count {
      let count = min(buffer.count, prefix.count - position)
      prefix.withUnsafeBytes { source in
        buffer.baseAddress!.copyMemory(from: source.baseAddress! + position, byteCount: count)
      }
      position += count
      return count
    }
    return try rest.read(into: buffer)
  }

  public mutating func skip(_ count: Int64) throws -> Int64 {
    var skipped: Int64 = 0
    if position < prefix.count {
      let fromPrefix = min(count, Int64(prefix.count - position))
      position += Int(fromPrefix)
      skipped = fromPrefix
    }
    guard skipped < count else { return skipped }
    return skipped + (try rest.skip(count - skipped))
  }
}

/// A file of a repository as ``RepositoryStores/openDecompressed(_:)`` streams it: its
/// decompressed bytes, from this machine or a remote store.
public struct RepositoryStream: ByteStream {
  /// How the file is compressed.
  public let compression: CompressionKind
  private var base: any ByteStream

  public init(_ base: any ByteStream, compression: CompressionKind) {
    self.base = base
    self.compression = compression
  }

  public var name: String? { base.name }

  public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    try base.read(into: buffer)
  }

  public mutating func skip(_ count: Int64) throws -> Int64 {
    try base.skip(count)
  }
}
