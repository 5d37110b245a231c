import Archives
import Foundation
import Processes

/// A remote file streamed from `cat` (or `tail -c +N` when resuming) through `ssh`'s pipe,
/// a ``ByteStream`` for the tar and decompression readers, with bounded memory.
///
/// When the connection drops mid-stream (`ssh` exits with 255 or dies), the stream starts
/// again from the byte it reached, up to ``SSHOptions/streamRetries`` times, waiting
/// ``SSHOptions/retryDelay`` seconds and twice as long at each retry; then it fails with
/// ``SSHError/Kind/connectionDropped``. A host key or login refused is not retried. With an
/// expected size (the listing's), a file that vanished, shrank or grew is
/// ``SSHError/Kind/fileChanged``.
public final class RemoteFileStream: ByteStream {
  public let session: SSHSession
  /// The remote path.
  public let path: String
  /// The size the listing gave, checked at the end.
  public let expectedSize: Int64?
  /// How many bytes have been read or skipped from the start of the file.
  public private(set) var offset: Int64 = 0
  /// How many times the stream was started again after a dropped connection.
  public private(set) var retries = 0
  /// Whether this is a whole folder as a tar (``SSHSession/openArchive(of:)``) rather than
  /// one file: such a stream cannot resume mid-way, so a drop after the first byte fails.
  public let isFolderArchive: Bool
  private var process: PipedProcess?
  private var finished = false

  /// The file's URL, `ssh://host/path`.
  public var name: String? { session.host.url(of: path) }

  init(session: SSHSession, path: String, expectedSize: Int64?, isFolderArchive: Bool = false) {
    self.session = session
    self.path = path
    self.expectedSize = expectedSize
    self.isFolderArchive = isFolderArchive
  }

  deinit { close() }

  /// Stops reading: the remote `cat` is ended; later reads return 0.
  public func close() {
    process?.terminate()
    process = nil
    finished = true
  }

  public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    guard !buffer.isEmpty, !finished else { return 0 }
    while true {
      let running = try process ?? start()
      let count: Int
      do {
        count = try running.read(into: buffer)
      } catch {
        throw SSHError(.cannotRun, "cannot read from ssh for \(name!): \(error)")
      }
      if count > 0 {
        offset += Int64(count)
        if let expectedSize, offset > expectedSize {
          close()
          throw changed("grew past the \(expectedSize) bytes listed")
        }
        return count
      }
      process = nil
      if try ended(try session.wait(running)) { return 0 }
    }
  }

  public func skip(_ count: Int64) throws -> Int64 {
    guard count > 0, !finished else { return 0 }
    // A long skip in a file of known size starts `tail` further on instead of reading.
    guard let expectedSize, count > 1024 * 1024 else {
      var stream = self
      return try stream.skipByReading(count)
    }
    let skipped = min(count, expectedSize - offset)
    process?.terminate()
    process = nil
    offset += skipped
    return skipped
  }

  private func start() throws -> PipedProcess {
    let script =
      isFolderArchive ? RemoteShell.archiveScript(path) : RemoteShell.readScript(path, from: offset)
    let started = try session.start(script)
    process = started
    return started
  }

  /// Handles the end of one `ssh`: true at the end of the file, false when the stream is to
  /// be started again; otherwise throws.
  private func ended(_ result: ProcessResult) throws -> Bool {
    if result.succeeded {
      if let expectedSize, offset < expectedSize {
        finished = true
        throw changed("shrank: \(expectedSize) bytes listed, \(offset) read")
      }
      finished = true
      return true
    }
    let dropped = result.terminatedBySignal || result.status == 255
    if !dropped {
      if result.status == RemoteShell.missing, expectedSize != nil {
        finished = true
        throw changed("vanished after it was listed")
      }
      finished = true
      try session.check(result, path: path)
    }
    let error = SSHError.connection(session.host, standardError: result.standardError)
    guard error.kind != .hostKeyUnknown, error.kind != .hostKeyChanged,
      error.kind != .permissionDenied
    else {
      finished = true
      throw error
    }
    if isFolderArchive, offset > 0 {
      finished = true
      throw SSHError(
        .connectionDropped,
        "the connection to \(session.host) dropped while streaming the folder \(path) as a tar "
          + "at byte \(offset); a tar stream cannot resume, so nothing of it is kept: run the "
          + "command again (ssh said: \(SSHError.quoted(result.standardError)))")
    }
    guard retries < session.options.streamRetries else {
      finished = true
      throw SSHError(
        .connectionDropped,
        "the connection to \(session.host) dropped while reading \(path) at byte \(offset), "
          + "and \(retries) \(retries == 1 ? "retry" : "retries") failed (ssh said: "
          + "\(SSHError.quoted(result.standardError)))")
    }
    let delay = session.options.retryDelay * Double(1 << min(retries, 16))
    retries += 1
    if delay > 0 { Thread.sleep(forTimeInterval: delay) }
    return false
  }

  private func changed(_ what: String) -> SSHError {
    SSHError(.fileChanged, "\(name!) changed while it was read: it \(what)")
  }
}
