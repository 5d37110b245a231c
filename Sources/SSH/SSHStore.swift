import Archives
import Foundation
import Storage

/// A backup repository in a folder on a host reached over SSH: `RepositoryStore` over one
/// ``SSHSession`` (one connection for the whole run, closed by ``close()``). Paths are the
/// full URLs users see, `ssh://[user@]host[:port]/path`; ``SSHError``s become
/// `StorageError`s with the same sentence.
public final class SSHStore: RepositoryStore, @unchecked Sendable {
  public let session: SSHSession
  /// `ssh://[user@]host[:port]`, the prefix of every path this store reads.
  public let prefix: String
  private let lock = NSLock()
  /// The sizes the listings gave, so a stream checks the file did not change since.
  private var listedSizes: [String: Int64] = [:]

  public init(session: SSHSession) {
    self.session = session
    prefix = session.host.description
  }

  /// Makes the shared connection now, so an unreachable host or a refused key is told first.
  public func connect() throws {
    do { try session.connect() } catch let error as SSHError { throw Self.storageError(error, path: prefix) }
  }

  /// Ends the shared connection.
  public func close() { session.close() }

  /// The remote path of a full `ssh://…` path.
  public func remotePath(_ path: String) -> String {
    guard path.hasPrefix(prefix) else { return path }
    let rest = String(path.dropFirst(prefix.count))
    return rest.isEmpty ? "/" : rest
  }

  public func list(under root: String) throws -> StoreListing {
    try list(under: root, named: nil)
  }

  /// The files called `name` or `name.SUFFIX` under `root`: one `find -name` on the host.
  public func list(under root: String, named name: String) throws -> StoreListing? {
    try list(under: root, named: Optional(name))
  }

  private func list(under root: String, named name: String?) throws -> StoreListing {
    let listing: RemoteListing
    do {
      listing = try session.list(under: remotePath(root), named: name)
    } catch let error as SSHError {
      throw Self.storageError(error, path: root)
    }
    let base = root.hasSuffix("/") ? String(root.dropLast()) : root
    let files = listing.files.map { file in
      StoredFile(path: base + "/" + file.path, size: file.size, modified: file.modified)
    }
    lock.lock()
    for file in files { listedSizes[file.path] = file.size }
    lock.unlock()
    let problems = listing.problems.map { StorageError(.failed, path: root, reason: $0) }
    return StoreListing(files: files, problems: problems)
  }

  public func read(_ path: String, range: Range<Int64>?) throws -> [UInt8] {
    do {
      if let range { return try session.read(remotePath(path), range: range) }
      let stream = session.open(remotePath(path))
      var bytes: [UInt8] = []
      var buffer = [UInt8](repeating: 0, count: 64 * 1024)
      while true {
        let count = try buffer.withUnsafeMutableBytes { try stream.read(into: $0) }
        if count == 0 { break }
        bytes += buffer[..<count]
      }
      return bytes
    } catch let error as SSHError {
      throw Self.storageError(error, path: path)
    }
  }

  /// Files per `readStarts` command (keeps the command line far below the host's limit).
  static let startsPerCommand = 200

  /// The first bytes of many files with one remote command per ``startsPerCommand`` files
  /// (`head -c` each); files whose bytes do not come back as the listing's sizes promise
  /// (missing, unreadable, changed) are read again one by one, for each one's own result.
  public func readStarts(of files: [StoredFile], length: Int64) -> [Result<[UInt8], any Error>] {
    var results: [Result<[UInt8], any Error>] = []
    var start = 0
    while start < files.count {
      let chunk = Array(files[start..<min(files.count, start + Self.startsPerCommand)])
      start += chunk.count
      let expected = chunk.map { Int(max(0, min(length, $0.size))) }
      let bytes = try? session.readStarts(chunk.map { remotePath($0.path) }, count: length)
      guard let bytes, bytes.count == expected.reduce(0, +) else {
        results += readStartsOneByOne(chunk, length: length)
        continue
      }
      var offset = 0
      for count in expected {
        results.append(.success(Array(bytes[offset..<offset + count])))
        offset += count
      }
    }
    return results
  }

  /// Files per ``readWhole(_:consume:)`` command.
  static let wholePerCommand = 64

  /// Whole files from one remote command per ``wholePerCommand`` (``SSHSession/readWhole(_:consume:)``),
  /// streamed back to back and held back by `consume`. A file that is missing, unreadable or
  /// not of its listed size is handed over as `nil` (the caller reads it itself, for its own
  /// message) and the next command starts after it; after a failed connection, the rest are
  /// `nil` (their own reads retry it).
  public func readWhole(_ files: [StoredFile], consume: (Int, [UInt8]?) -> Bool) {
    var start = 0
    while start < files.count {
      let chunk = files[start..<min(files.count, start + Self.wholePerCommand)]
      let base = start
      let end = session.readWhole(chunk.map { (remotePath($0.path), $0.size) }) { index, bytes in
        consume(base + index, bytes)
      }
      switch end {
      case .finished:
        start += chunk.count
      case .stopped:
        return
      case .fileFailed(let index):
        guard consume(base + index, nil) else { return }
        start = base + index + 1
      case .connectionFailed(let index):
        for rest in (base + index)..<files.count where !consume(rest, nil) { return }
        return
      }
    }
  }

  public func open(_ path: String) throws -> any ByteStream {
    lock.lock()
    let size = listedSizes[path]
    lock.unlock()
    return session.open(remotePath(path), expectedSize: size)
  }

  /// The folder `path` as one tar stream (``SSHSession/openArchive(of:)``).
  public func openFolderArchive(_ path: String) throws -> (any ByteStream)? {
    session.openArchive(of: remotePath(path))
  }

  static func storageError(_ error: SSHError, path: String) -> StorageError {
    let kind: StorageError.Kind =
      switch error.kind {
      case .pathMissing: .notFound
      case .wrongKind: .notAFolder
      case .permissionDenied, .unreadable: .denied
      default: .failed
      }
    return StorageError(kind, path: path, reason: error.description)
  }
}
