import Archives
import Foundation
import Storage

/// A backup repository in one S3 bucket, read through an ``S3Client``: the `RepositoryStore`
/// for `s3://bucket/prefix` locations.
///
/// Paths are the texts users see, `s3://bucket/key`. ``list(under:)`` is one ListObjectsV2
/// walk of `prefix/` (version: the ETag; modified: Last-Modified in nanoseconds; keys ending in
/// `/`, the folder markers consoles create, are not files). ``read(_:range:)`` is one ranged
/// GET. ``open(_:)`` is an ``S3ObjectStream`` (ranged GETs pinned by `If-Match`).
///
/// The store remembers what its listings saw: a later read or stream of a listed object is
/// pinned to the ETag and size listed, so an object rewritten or removed since the catalog
/// looked at it is an error ("changed since it was listed") rather than other bytes.
///
/// Every failure is a `StorageError` (`cannot read s3://bucket/key: REASON`) whose reason is
/// the ``S3Error``'s sentence, fix included, and never holds a secret.
public final class S3Store: RepositoryStore, @unchecked Sendable {
  /// The client of the bucket this store reads.
  public let client: S3Client
  /// What the listings saw, by path.
  private var listed: [String: StoredFile] = [:]
  private let lock = NSLock()

  public init(client: S3Client) {
    self.client = client
  }

  /// A store for `bucket` configured from the standard places (the environment, the shared
  /// config and credentials files), each of `endpoint`, `region` and `pathStyle` overriding
  /// them when given (a plan's `backups.s3:` block).
  ///
  /// - Throws: ``S3Error`` `.noCredentials` or `.invalidConfiguration`.
  public convenience init(
    bucket: String, environment: [String: String], endpoint: String? = nil, region: String? = nil,
    pathStyle: Bool? = nil, retry: S3RetryPolicy = .standard
  ) throws(S3Error) {
    let configuration = try S3Configuration.resolve(
      environment: environment, endpoint: endpoint, region: region, pathStyle: pathStyle)
    let credentials = try S3Credentials.resolve(environment: environment)
    self.init(
      client: S3Client(bucket: bucket, configuration: configuration, credentials: credentials, retry: retry))
  }

  /// `s3://bucket`, the prefix of every path this store reads.
  public var root: String { "s3://\(client.bucket)" }

  /// Checks that `root` can be listed, with one request for one key: credentials accepted,
  /// bucket present, and something under the prefix (or the whole bucket for `s3://bucket`).
  ///
  /// - Throws: `StorageError` as ``list(under:)`` would.
  public func probe(_ root: String) throws {
    let prefix = try key(of: root)
    let response: S3HTTPResponse
    do {
      let query = [("list-type", "2"), ("prefix", prefix.isEmpty ? "" : prefix + "/"), ("max-keys", "1")]
      response = try client.send("GET", key: nil, query: query)
      guard response.status == 200 else { throw client.failure(response, key: nil) }
    } catch {
      throw Self.storageError(error, path: root)
    }
    let page: ListPage
    do { page = try S3XML.listPage(response.body) } catch { throw Self.storageError(error, path: root) }
    if page.entries.isEmpty && !prefix.isEmpty { throw emptyPrefixError(root, key: prefix) }
  }

  // MARK: - RepositoryStore

  public func list(under root: String) throws -> StoreListing {
    let prefix = try key(of: root)
    let folder = prefix.isEmpty ? "" : prefix + "/"
    let entries: [S3ObjectEntry]
    do {
      entries = try client.list(prefix: folder)
    } catch {
      throw Self.storageError(error, path: root)
    }
    let files =
      entries
      .filter { !$0.key.hasSuffix("/") }
      .map { StoredFile(path: path(of: $0.key), size: $0.size, modified: $0.lastModifiedNanoseconds, version: $0.etag) }
      .sorted { $0.path < $1.path }
    if entries.isEmpty && !prefix.isEmpty {
      throw emptyPrefixError(root, key: prefix)
    }
    lock.withLock {
      for file in files { listed[file.path] = file }
    }
    return StoreListing(files: files)
  }

  public func read(_ path: String, range: Range<Int64>?) throws -> [UInt8] {
    let key = try key(of: path)
    let known = lock.withLock { listed[path] }
    var wanted = range
    if let range, let known {
      let start = min(max(range.lowerBound, 0), known.size)
      wanted = start..<min(max(range.upperBound, start), known.size)
    }
    if let wanted, wanted.isEmpty { return [] }
    do {
      return try client.readClipped(key, range: wanted, ifMatch: known?.version, listedSize: known?.size)
    } catch {
      throw Self.storageError(error, path: path)
    }
  }

  /// How many ranged GETs ``readStarts(of:length:)`` keeps in flight.
  static let startsInFlight = 4

  /// The first bytes of many objects: ranged GETs, ``startsInFlight`` at a time.
  public func readStarts(of files: [StoredFile], length: Int64) -> [Result<[UInt8], any Error>] {
    guard files.count > 1 else { return readStartsOneByOne(files, length: length) }
    final class Shared: @unchecked Sendable {
      let lock = NSLock()
      var next = 0
      var results: [Result<[UInt8], any Error>?]
      init(_ count: Int) { results = Array(repeating: nil, count: count) }
    }
    let shared = Shared(files.count)
    let group = DispatchGroup()
    for _ in 0..<min(Self.startsInFlight, files.count) {
      group.enter()
      Thread.detachNewThread {
        defer { group.leave() }
        while true {
          let index: Int = shared.lock.withLock {
            defer { shared.next += 1 }
            return shared.next
          }
          guard index < files.count else { return }
          let result = Result { try self.read(files[index].path, range: 0..<length) }
          shared.lock.withLock { shared.results[index] = result }
        }
      }
    }
    group.wait()
    return shared.results.map { $0! }
  }

  /// How many whole objects ``readWhole(_:consume:)`` reads ahead of `consume`.
  static let wholeInFlight = 4

  /// Whole objects, GETs ``wholeInFlight`` at a time ahead of `consume`, handed over in
  /// order; an object that cannot be read as listed is handed over as `nil`.
  public func readWhole(_ files: [StoredFile], consume: (Int, [UInt8]?) -> Bool) {
    guard files.count > 1 else { return readWholeOneByOne(files, consume: consume) }
    final class Shared: @unchecked Sendable {
      let condition = NSCondition()
      var next = 0
      var consumed = 0
      var stopped = false
      var results: [Int: [UInt8]?] = [:]
    }
    let shared = Shared()
    for _ in 0..<min(Self.wholeInFlight, files.count) {
      Thread.detachNewThread {
        while true {
          let index: Int? = shared.condition.withLock {
            while !shared.stopped, shared.next < files.count, shared.next >= shared.consumed + Self.wholeInFlight {
              shared.condition.wait()
            }
            guard !shared.stopped, shared.next < files.count else { return nil }
            defer { shared.next += 1 }
            return shared.next
          }
          guard let index else { return }
          let file = files[index]
          let bytes = (try? self.read(file.path, range: nil)).flatMap { $0.count == file.size ? $0 : nil }
          shared.condition.withLock {
            shared.results[index] = .some(bytes)
            shared.condition.broadcast()
          }
        }
      }
    }
    for index in files.indices {
      let bytes: [UInt8]? = shared.condition.withLock {
        while shared.results[index] == nil { shared.condition.wait() }
        return shared.results.removeValue(forKey: index)!
      }
      let going = consume(index, bytes)
      shared.condition.withLock {
        shared.consumed = index + 1
        shared.stopped = !going
        shared.condition.broadcast()
      }
      if !going { return }
    }
  }

  public func open(_ path: String) throws -> any ByteStream {
    let key = try key(of: path)
    let known = lock.withLock { listed[path] }
    do {
      let stream = try openStream(key, path: path, known: known)
      if let known {
        try Self.check(stream.entry, against: known, client: client)
      }
      return S3StoreStream(stream, path: path)
    } catch {
      throw Self.storageError(error, path: path)
    }
  }

  /// The object's stream; a listed object gone since is told as removed, not as missing.
  private func openStream(_ key: String, path: String, known: StoredFile?) throws(S3Error) -> S3ObjectStream {
    do {
      return try client.open(key)
    } catch {
      guard error.kind == .keyMissing, let known else { throw error }
      throw S3Error(
        .objectChanged,
        "\(path) was removed since it was listed (\(known.size) bytes then); something deleted it: run again once the repository is stable"
      )
    }
  }

  // MARK: - Paths

  /// The key of `path` in this store's bucket (no leading or trailing `/`).
  private func key(of path: String) throws -> String {
    guard path == root || path.hasPrefix(root + "/") else {
      throw StorageError(.failed, path: path, reason: "not in \(root), the bucket this S3 store reads")
    }
    var key = path.dropFirst(root.count)
    while key.hasPrefix("/") { key = key.dropFirst() }
    while key.hasSuffix("/") { key = key.dropLast() }
    return String(key)
  }

  private func path(of key: String) -> String { "\(root)/\(key)" }

  /// Why a prefix with no object under it cannot be listed: it is an object, or nothing.
  private func emptyPrefixError(_ root: String, key: String) -> StorageError {
    if (try? client.head(key)) != nil {
      return StorageError(
        .notAFolder, path: root,
        reason:
          "it is an object, not a prefix; name the prefix the backups are under (the part of the key before their names)"
      )
    }
    return StorageError(
      .notFound, path: root,
      reason:
        "no object in bucket '\(client.bucket)' has a key starting with '\(key)/'; check the prefix in the s3:// URL (S3 keys are case-sensitive)"
    )
  }

  // MARK: - Errors

  /// The listed entry's ETag and size compared with what the service says now.
  static func check(_ entry: S3ObjectEntry, against listed: StoredFile, client: S3Client) throws(S3Error) {
    if let version = listed.version, version != entry.etag {
      throw S3Error(
        .objectChanged,
        "\(listed.path) changed since it was listed (ETag \(version) then, \(entry.etag) now); something rewrote it: run again once its writer is done"
      )
    }
    if listed.size != entry.size {
      throw S3Error(
        .objectChanged,
        "\(listed.path) changed since it was listed (\(listed.size) bytes then, \(entry.size) now); something rewrote it: run again once its writer is done"
      )
    }
  }

  /// `error` as a `StorageError` about `path`, its sentence kept (a sentence that starts with
  /// the path itself says "it" instead, since the error already names it).
  static func storageError(_ error: any Error, path: String) -> StorageError {
    if let error = error as? StorageError { return error }
    guard let error = error as? S3Error else {
      return StorageError(.failed, path: path, reason: "\(error)")
    }
    var reason = error.description
    if reason.hasPrefix(path + " ") { reason = "it " + reason.dropFirst(path.count + 1) }
    let kind: StorageError.Kind
    switch error.kind {
    case .noCredentials, .accessDenied: kind = .denied
    case .bucketMissing, .keyMissing: kind = .notFound
    case .invalidConfiguration, .endpointUnreachable, .objectChanged, .serverError, .unexpectedResponse,
      .httpLibraryMissing:
      kind = .failed
    }
    return StorageError(kind, path: path, reason: reason)
  }
}

/// An ``S3ObjectStream`` whose errors are `StorageError`s about its path.
struct S3StoreStream: ByteStream {
  private var base: S3ObjectStream
  private let path: String

  init(_ base: S3ObjectStream, path: String) {
    self.base = base
    self.path = path
  }

  var name: String? { path }

  mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    do {
      return try base.read(into: buffer)
    } catch {
      throw S3Store.storageError(error, path: path)
    }
  }

  mutating func skip(_ count: Int64) throws -> Int64 {
    do {
      return try base.skip(count)
    } catch {
      throw S3Store.storageError(error, path: path)
    }
  }
}

extension S3Client {
  /// The object's bytes in `range` (all of them for `nil`), clipped to its end as a file read
  /// is: a range starting past the end is no bytes (S3's 416), not an error. With `ifMatch`,
  /// only while the object is that version; `listedSize` names the size the listing saw, so
  /// that an object gone or rewritten since is told as changed.
  func readClipped(_ key: String, range: Range<Int64>?, ifMatch: String?, listedSize: Int64?) throws(S3Error)
    -> [UInt8]
  {
    var headers: [(String, String)] = []
    if let range { headers.append(("range", "bytes=\(range.lowerBound)-\(range.upperBound - 1)")) }
    if let ifMatch { headers.append(("if-match", "\"\(ifMatch)\"")) }
    let response = try send("GET", key: key, headers: headers)
    switch response.status {
    case 200, 206:
      return [UInt8](response.body)
    case 416:
      return []
    case 412 where ifMatch != nil:
      throw S3Error(
        .objectChanged,
        "s3://\(bucket)/\(key) changed since it was listed (ETag \(ifMatch!) then, another now); something rewrote it: run again once its writer is done"
      )
    default:
      let error = try readFailure(key, response)
      if error.kind == .keyMissing, let listedSize {
        throw S3Error(
          .objectChanged,
          "s3://\(bucket)/\(key) was removed since it was listed (\(listedSize) bytes then); something deleted it: run again once the repository is stable"
        )
      }
      throw error
    }
  }

  private func readFailure(_ key: String, _ response: S3HTTPResponse) throws(S3Error) -> S3Error {
    if response.status == 404 {
      let bucketAnswer = try send("HEAD", key: nil)
      if bucketAnswer.status == 404 { return bucketMissing() }
    }
    return failure(response, key: key)
  }
}
