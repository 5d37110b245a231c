import Foundation
import Processes

/// Lists and reads files on one host through the system's `ssh`, over one connection shared
/// by every command of a run (`ControlMaster`), closed by ``close()``.
///
/// `ssh` brings the user's `~/.ssh/config`, keys, agent and known_hosts (or those of
/// ``SSHOptions/configFile``); it always runs with `BatchMode=yes`, so it never prompts: a
/// missing key or an unknown host key is an error saying what to do. The control socket lives
/// in a private folder made for the session (`/tmp/pitr-ssh-XXXXXX`, mode 0700).
///
/// `ssh` exits with 255 for its own failures, which are classified (``SSHError/Kind``); any
/// other status is the remote command's, and the remote scripts (``RemoteShell``) use statuses
/// of their own for a missing path.
public final class SSHSession {
  public let host: SSHHost
  public let options: SSHOptions
  /// The control socket's path.
  public let controlPath: String
  /// The private folder made for the socket; nil for a socket shared with other processes
  /// (``init(host:options:sharedControlPath:)``), which ``close()`` leaves running.
  private let controlDirectory: String?
  private var closed = false

  /// A session with `host`; no connection is made until the first command (or ``connect()``).
  ///
  /// - Throws: ``SSHError`` (``SSHError/Kind/cannotRun``) when the private folder cannot be
  ///   made.
  public init(host: SSHHost, options: SSHOptions = SSHOptions()) throws {
    guard !host.host.hasPrefix("-"), !host.host.isEmpty else {
      throw SSHError(.unreachable, "'\(host.host)' is not a host name")
    }
    var template = Array("/tmp/pitr-ssh-XXXXXX".utf8CString)
    guard let made = mkdtemp(&template) else {
      throw SSHError(.cannotRun, "cannot create a folder for ssh's control socket in /tmp")
    }
    self.host = host
    self.options = options
    let directory = String(cString: made)
    controlDirectory = directory
    controlPath = directory + "/control"
  }

  /// A session over the control socket at `sharedControlPath`, shared with other processes
  /// (the `pitr wal-fetch` calls of one restore): the first command starts the connection if
  /// no one has (`ControlMaster=auto`), later ones and other processes reuse it, and it stays
  /// up ``SSHOptions/controlPersist`` seconds once idle. ``close()`` leaves it running;
  /// ``endSharedConnection(host:options:controlPath:)`` ends it.
  public init(host: SSHHost, options: SSHOptions = SSHOptions(), sharedControlPath: String) throws {
    guard !host.host.hasPrefix("-"), !host.host.isEmpty else {
      throw SSHError(.unreachable, "'\(host.host)' is not a host name")
    }
    self.host = host
    self.options = options
    controlDirectory = nil
    controlPath = sharedControlPath
  }

  deinit { close() }

  /// Ends the connection shared through the socket `controlPath` (`ssh -O exit`), if one runs.
  public static func endSharedConnection(host: SSHHost, options: SSHOptions, controlPath: String) {
    guard FileManager.default.fileExists(atPath: controlPath),
      let session = try? SSHSession(host: host, options: options, sharedControlPath: controlPath)
    else { return }
    _ = try? ProcessRunner.run(options.executable, session.controlArguments("exit"), timeout: 10)
  }

  /// Opens the shared connection now, so a host that cannot be reached, a host key that is
  /// unknown or a login refused is reported before anything else is done.
  public func connect() throws {
    let process = try start("true")
    _ = try process.readToEnd(limit: 0)
    try check(try wait(process), path: nil)
  }

  /// Whether the shared connection is up (`ssh -O check`).
  public var isConnected: Bool {
    guard !closed, FileManager.default.fileExists(atPath: controlPath) else { return false }
    let result = try? ProcessRunner.run(options.executable, controlArguments("check"), timeout: 10)
    return result?.succeeded ?? false
  }

  /// Ends the shared connection (`ssh -O exit`) and removes the private folder; closing twice
  /// does nothing.
  public func close() {
    guard !closed else { return }
    closed = true
    guard let controlDirectory else { return }
    if FileManager.default.fileExists(atPath: controlPath) {
      _ = try? ProcessRunner.run(options.executable, controlArguments("exit"), timeout: 10)
    }
    try? FileManager.default.removeItem(atPath: controlDirectory)
  }

  /// The regular files below the folder `path`, at any depth.
  ///
  /// - Throws: ``SSHError``: the connection's errors, ``SSHError/Kind/pathMissing`` and
  ///   ``SSHError/Kind/wrongKind`` (not a folder).
  /// With `named`, only the files called `named` or `named` plus a suffix (`NAME.gz`): one
  /// `find -name` on the host instead of the whole listing.
  public func list(under path: String, named: String? = nil) throws -> RemoteListing {
    let process = try start(RemoteShell.listScript(path, named: named))
    let bytes = try readAll(process)
    let result = try wait(process)
    let problems: [String]
    if result.status == 1 && !result.terminatedBySignal {
      // `find` read what it could and complains about the rest.
      problems = result.standardError.split(separator: "\n").map {
        $0.hasPrefix("find: ") ? String($0.dropFirst(6)) : String($0)
      }
    } else {
      try check(result, path: path, isFolder: true)
      problems = []
    }
    let files = RemoteShell.parseListing(bytes, root: RemoteShell.listingRoot(path))
    return RemoteListing(files: files, problems: problems)
  }

  /// The bytes of the file `path` in `range` (byte offsets); fewer at the end of the file.
  ///
  /// - Throws: ``SSHError``: the connection's errors, ``SSHError/Kind/pathMissing``,
  ///   ``SSHError/Kind/wrongKind`` (not a file), ``SSHError/Kind/unreadable``.
  public func read(_ path: String, range: Range<Int64>) throws -> [UInt8] {
    guard !range.isEmpty else { return [] }
    let script = RemoteShell.readScript(
      path, from: range.lowerBound, count: range.upperBound - range.lowerBound)
    let process = try start(script)
    let bytes = try readAll(process)
    try check(try wait(process), path: path)
    return bytes
  }

  /// The first `count` bytes of each of `paths`, concatenated, from one remote command;
  /// `nil` when the command failed on the host (a file missing or unreadable: read them one
  /// by one then).
  ///
  /// - Throws: ``SSHError``: the connection's errors.
  public func readStarts(_ paths: [String], count: Int64) throws -> [UInt8]? {
    guard !paths.isEmpty else { return [] }
    let process = try start(RemoteShell.readStartsScript(paths, count: count))
    let bytes = try readAll(process)
    let result = try wait(process)
    if result.succeeded { return bytes }
    if result.status == 1 && !result.terminatedBySignal { return nil }
    try check(result, path: nil)
    return nil
  }

  /// How ``readWhole(_:consume:)`` ended.
  public enum WholeReadEnd: Equatable, Sendable {
    /// Every file was handed over.
    case finished
    /// `consume` returned false.
    case stopped
    /// The file at this index was missing, unreadable or not of the size given; the ones
    /// before it were handed over.
    case fileFailed(at: Int)
    /// The connection failed (or `ssh` could not run) before the file at this index was
    /// whole.
    case connectionFailed(at: Int)
  }

  /// The files, each whole, from one remote command that writes them back to back
  /// (``RemoteShell/readWholeScript(_:trailer:)``), split by their sizes (the listing's) and checked by the trailer after each; `consume`
  /// gets each one's index and bytes as it arrives and returns false to stop (the command is
  /// then ended). Memory: one file at a time, plus what `consume` keeps.
  public func readWhole(_ files: [(path: String, size: Int64)], consume: (Int, [UInt8]) -> Bool)
    -> WholeReadEnd
  {
    guard !files.isEmpty else { return .finished }
    let trailer = Self.batchTrailer()
    guard let process = try? start(RemoteShell.readWholeScript(files, trailer: trailer)) else {
      return .connectionFailed(at: 0)
    }
    for (index, file) in files.enumerated() {
      var bytes = [UInt8](repeating: 0, count: Int(file.size) + trailer.utf8.count)
      var filled = 0
      while filled < bytes.count {
        let count = bytes.withUnsafeMutableBytes { buffer in
          (try? process.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))) ?? 0
        }
        if count == 0 { break }
        filled += count
      }
      guard filled == bytes.count else {
        guard let result = try? wait(process), !result.terminatedBySignal, result.status != 255
        else { return .connectionFailed(at: index) }
        return .fileFailed(at: index)
      }
      // The file shrank after its size was checked: what follows is shifted, so stop here.
      guard bytes[Int(file.size)...].elementsEqual(trailer.utf8) else {
        process.terminate()
        _ = try? wait(process)
        return .fileFailed(at: index)
      }
      bytes.removeLast(trailer.utf8.count)
      guard consume(index, bytes) else {
        process.terminate()
        return .stopped
      }
    }
    _ = try? wait(process)
    return .finished
  }

  /// A marker no WAL or backup file is likely to hold at that offset: 24 random letters and
  /// digits, new for each command.
  static func batchTrailer() -> String {
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
    return "PITR" + String((0..<24).map { _ in alphabet.randomElement()! })
  }

  /// The file `path` as a stream read from `cat` through a pipe, with bounded memory.
  ///
  /// With `expectedSize` (the listing's), a file that is shorter or longer when read is an
  /// error, and so is one that vanished.
  public func open(_ path: String, expectedSize: Int64? = nil) -> RemoteFileStream {
    RemoteFileStream(session: self, path: path, expectedSize: expectedSize)
  }

  /// The folder `path` as one tar archive streamed from `tar -cf - -C PATH .` (files, folders
  /// and links, links not followed), with bounded memory. Read it to its end (past the tar's
  /// end-of-archive blocks) so that the remote `tar`'s exit status is checked. A connection
  /// that drops before the first byte is retried; after it, the stream fails
  /// (``SSHError/Kind/connectionDropped``).
  public func openArchive(of path: String) -> RemoteFileStream {
    RemoteFileStream(session: self, path: path, expectedSize: nil, isFolderArchive: true)
  }

  // MARK: - Running ssh

  /// `ssh`'s arguments for running `script` on the host.
  func arguments(_ script: String) -> [String] {
    commonArguments() + ["-T", "--", host.host, script]
  }

  private func commonArguments() -> [String] {
    var words: [String] = []
    if let configFile = options.configFile { words += ["-F", configFile] }
    for option in [
      "BatchMode=yes", "ControlMaster=auto", "ControlPath=\(controlPath)",
      "ControlPersist=\(options.controlPersist)", "ConnectTimeout=\(options.connectTimeout)",
      "ServerAliveInterval=\(options.serverAliveInterval)", "ServerAliveCountMax=4",
      "LogLevel=ERROR",
    ] {
      words += ["-o", option]
    }
    if let port = host.port { words += ["-p", String(port)] }
    if let user = host.user { words += ["-l", user] }
    return words
  }

  func controlArguments(_ command: String) -> [String] {
    commonArguments() + ["-O", command, "--", host.host]
  }

  /// Starts `ssh` running `script`.
  func start(_ script: String) throws -> PipedProcess {
    do {
      return try PipedProcess(options.executable, arguments(script))
    } catch {
      throw SSHError(.cannotRun, "cannot run \(options.executable): \(error)")
    }
  }

  func readAll(_ process: PipedProcess) throws -> [UInt8] {
    do {
      return try process.readToEnd(limit: Int.max)
    } catch {
      throw SSHError(.cannotRun, "\(error)")
    }
  }

  func wait(_ process: PipedProcess) throws -> ProcessResult {
    do {
      return try process.wait()
    } catch {
      throw SSHError(.cannotRun, "\(error)")
    }
  }

  /// Throws the error a finished `ssh` reports, if any.
  ///
  /// - Parameters:
  ///   - path: The remote path the command was about, for the messages.
  ///   - isFolder: Whether the path should be a folder (else a file).
  func check(_ result: ProcessResult, path: String?, isFolder: Bool = false) throws {
    if result.succeeded { return }
    if result.terminatedBySignal || result.status == 255 {
      throw SSHError.connection(host, standardError: result.standardError)
    }
    let url = host.url(of: path ?? "/")
    switch result.status {
    case RemoteShell.missing:
      throw SSHError(.pathMissing, "\(url) does not exist")
    case RemoteShell.wrongKind:
      throw SSHError(.wrongKind, "\(url) is not a \(isFolder ? "folder" : "regular file")")
    case RemoteShell.unreadable:
      throw SSHError(.unreadable, "\(url) cannot be read by the remote user (permission denied)")
    default:
      throw SSHError(
        .remoteCommandFailed,
        "reading \(url) failed on the host with exit status \(result.status) (it said: "
          + "\(SSHError.quoted(result.standardError)))")
    }
  }
}
