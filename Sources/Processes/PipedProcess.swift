import Foundation

#if canImport(Glibc)
  import Glibc
  private let systemRead = Glibc.read
#elseif canImport(Darwin)
  import Darwin
  private let systemRead = Darwin.read
#endif

/// A program whose standard output is read as it is written, through a pipe, with bounded
/// memory: `ssh HOST cat FILE` streamed into a tar reader.
///
/// Started like ``ProcessRunner``'s programs (`posix_spawn`, a process group of its own, no
/// descriptor inherited but standard input from `/dev/null`, output and error). Standard
/// error goes to an unlinked temporary file, so a chatty child never blocks on it; it is
/// read back by ``wait()``. A class because it owns the pipe and the child: ``wait()`` or
/// ``terminate()`` reaps the child, and dropping the last reference kills and reaps it.
public final class PipedProcess {
  /// The program's path, for error messages.
  public let executable: String
  /// The program's process id (and its process group's).
  public var pid: Int32 { child.pid }
  private let child: SpawnedProcess
  private var output: Int32
  private let error: Int32
  private var ended: ProcessResult?

  /// Starts `executable` with `arguments`; `environment` entries are added to (or override)
  /// this process's.
  ///
  /// - Throws: ``ProcessError`` when the pipe or the error file cannot be made or the program
  ///   cannot be started.
  public init(_ executable: String, _ arguments: [String], environment: [String: String] = [:])
    throws
  {
    var ends: [Int32] = [-1, -1]
    guard pipe(&ends) == 0 else { throw ProcessError("cannot create a pipe (errno \(errno))") }
    for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
    var template = Array("/tmp/pitr-stderr-XXXXXX".utf8CString)
    let errorFile = mkstemp(&template)
    guard errorFile >= 0 else {
      for end in ends { _ = close(end) }
      throw ProcessError("cannot create a temporary file (errno \(errno))")
    }
    _ = template.withUnsafeBufferPointer { unlink($0.baseAddress!) }
    _ = fcntl(errorFile, F_SETFD, FD_CLOEXEC)
    let variables = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    do {
      child = try SpawnedProcess(
        executable: executable, arguments: arguments,
        environment: variables.map { "\($0.key)=\($0.value)" }, output: ends[1], error: errorFile)
    } catch {
      for end in ends { _ = close(end) }
      _ = close(errorFile)
      throw error
    }
    _ = close(ends[1])
    self.executable = executable
    self.output = ends[0]
    self.error = errorFile
  }

  deinit {
    terminate()
    _ = close(error)
  }

  /// Reads up to `buffer.count` bytes of the program's output.
  ///
  /// - Returns: How many bytes were read: 0 when the program closed its output (it ended)
  ///   or for an empty buffer.
  /// - Throws: ``ProcessError`` when the pipe cannot be read.
  public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    guard let base = buffer.baseAddress, !buffer.isEmpty, output >= 0 else { return 0 }
    while true {
      let count = systemRead(output, base, buffer.count)
      if count >= 0 { return count }
      if errno == EINTR { continue }
      throw ProcessError("cannot read the output of \(executable) (errno \(errno))")
    }
  }

  /// All the rest of the output, up to `limit` bytes (the rest is read and dropped).
  public func readToEnd(limit: Int = 64 * 1024 * 1024) throws -> [UInt8] {
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 64 * 1024)
    while true {
      let count = try chunk.withUnsafeMutableBytes { try read(into: $0) }
      if count == 0 { return bytes }
      if bytes.count < limit { bytes += chunk[0..<min(count, limit - bytes.count)] }
    }
  }

  /// Closes the pipe and waits for the program to end; its standard output in the result is
  /// empty (it was read through ``read(into:)``), its standard error is what it wrote.
  ///
  /// A program still writing when the pipe closes gets `SIGPIPE`. Waiting twice returns the
  /// same result.
  public func wait() throws -> ProcessResult {
    if let ended { return ended }
    closeOutput()
    let ending = try child.wait()
    let result = ProcessResult(
      status: ending.status, terminatedBySignal: ending.bySignal, timedOut: false,
      standardOutput: "", standardError: errorText())
    ended = result
    return result
  }

  /// Kills the program and everything in its process group, and reaps it; nothing happens
  /// when it was already waited for.
  public func terminate() {
    guard ended == nil else { return }
    closeOutput()
    child.killGroup()
    if let ending = try? child.wait() {
      ended = ProcessResult(
        status: ending.status, terminatedBySignal: ending.bySignal, timedOut: false,
        standardOutput: "", standardError: errorText())
    }
  }

  private func closeOutput() {
    guard output >= 0 else { return }
    _ = close(output)
    output = -1
  }

  /// What the program wrote to standard error, invalid UTF-8 repaired.
  private func errorText() -> String {
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    var offset: off_t = 0
    while true {
      let count = chunk.withUnsafeMutableBytes { pread(error, $0.baseAddress, $0.count, offset) }
      if count <= 0 { break }
      bytes += chunk[0..<count]
      offset += off_t(count)
    }
    return String(decoding: bytes, as: UTF8.self)
  }
}
