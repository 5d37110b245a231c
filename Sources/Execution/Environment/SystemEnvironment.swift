import Compiler
import Foundation
import Processes

#if canImport(Glibc)
  import Glibc
#endif

/// The machine pitr runs on, as the compiler asks about it: directories, ports, free space,
/// server binaries and users.
public struct SystemEnvironment: CompilerEnvironment {
  public init() {}

  public func directoryState(_ path: String) -> DirectoryState {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      return .absent
    }
    guard isDirectory.boolValue else { return .file }
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
    if entries.isEmpty { return .empty }
    if let journal = Journal.load(from: path + ".pitr") {
      return .restoring(
        planHash: journal.planHash, catalogFingerprint: journal.catalogFingerprint,
        running: Self.serverRuns(in: path))
    }
    let isDataDirectory = entries.contains("PG_VERSION")
    return .notEmpty(
      entries: entries.count, isDataDirectory: isDataDirectory,
      running: isDataDirectory && Self.serverRuns(in: path))
  }

  /// Without listing the folder (a WAL archive may hold many thousand files).
  public func isFolder(_ path: String) -> Bool {
    var isDirectory: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
  }

  /// Whether `postmaster.pid` names a live process.
  static func serverRuns(in directory: String) -> Bool {
    guard let text = try? String(contentsOfFile: "\(directory)/postmaster.pid", encoding: .utf8),
      let first = text.split(separator: "\n").first, let pid = Int32(first)
    else { return false }
    return kill(pid, 0) == 0 || errno == EPERM
  }

  public func isPortInUse(_ port: Int) -> Bool {
    for socketDirectory in ["/var/run/postgresql", "/run/postgresql", "/tmp"]
    where FileManager.default.fileExists(atPath: "\(socketDirectory)/.s.PGSQL.\(port)") {
      return true
    }
    // Binding the port on all addresses fails when anything listens on it. With
    // SO_REUSEADDR, as PostgreSQL binds, connections left in TIME_WAIT by a server that
    // stopped do not count: only a socket that still holds the port does.
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { return false }
    defer { close(descriptor) }
    var reuse: Int32 = 1
    setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(truncatingIfNeeded: port)).bigEndian
    address.sin_addr.s_addr = INADDR_ANY
    let bound = withUnsafePointer(to: &address) { pointer in
      pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    return bound != 0 && errno == EADDRINUSE
  }

  /// A TCP port nothing listens on now: binds port 0 and reads which port the kernel chose.
  public func freePort() -> Int? {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { return nil }
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
      pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
        bind(descriptor, raw, length) == 0 && getsockname(descriptor, raw, &length) == 0
      }
    }
    return bound ? Int(UInt16(bigEndian: address.sin_port)) : nil
  }

  public func resolvingLinks(_ path: String) -> String {
    guard path.hasPrefix("/") else { return path }
    // The longest part of the path that exists, resolved; the rest appended as written.
    // (Not `standardizingPath`: on Linux it resolves links past a `..` already.)
    var parts = path.split(separator: "/").map(String.init).filter { $0 != "." }
    var rest: [String] = []
    while !parts.isEmpty {
      if let resolved = realpath("/" + parts.joined(separator: "/"), nil) {
        defer { free(resolved) }
        let base = String(cString: resolved)
        return ([base == "/" ? "" : base] + rest).joined(separator: "/")
      }
      rest.insert(parts.removeLast(), at: 0)
    }
    return "/" + rest.joined(separator: "/")
  }

  public func freeBytes(at path: String) -> Int64? {
    var candidate = path
    while !FileManager.default.fileExists(atPath: candidate), candidate != "/" {
      candidate = (candidate as NSString).deletingLastPathComponent
      if candidate.isEmpty { candidate = "/" }
    }
    var info = statvfs()
    guard statvfs(candidate, &info) == 0 else { return nil }
    return Int64(info.f_bavail) * Int64(info.f_frsize)
  }

  public func serverBinaries(in directory: String?, majorVersion: Int?) -> ServerBinaries {
    Self.serverBinaries(
      in: directory, majorVersion: majorVersion,
      searchPath: ProcessInfo.processInfo.environment["PATH"] ?? "",
      usualPlaces: majorVersion.map { ["/usr/lib/postgresql/\($0)/bin", "/usr/pgsql-\($0)/bin"] } ?? [])
  }

  /// `pg_ctl` and `postgres` in `directory`, else of `majorVersion` on `searchPath` (a PATH
  /// value) or in `usualPlaces`; when only other versions are there, says which and where.
  public static func serverBinaries(
    in directory: String?, majorVersion: Int?, searchPath: String, usualPlaces: [String]
  ) -> ServerBinaries {
    let candidates =
      directory.map { [$0] } ?? searchPath.split(separator: ":").map(String.init) + usualPlaces
    var others: [(directory: String, version: Int)] = []
    for candidate in candidates
    where FileManager.default.isExecutableFile(atPath: "\(candidate)/pg_ctl")
      && FileManager.default.isExecutableFile(atPath: "\(candidate)/postgres")
    {
      guard let version = Self.majorVersion(of: "\(candidate)/pg_ctl") else {
        return ServerBinaries(
          directory: candidate, majorVersion: nil,
          problem: "cannot tell the version of \(candidate)/pg_ctl (pg_ctl --version failed)")
      }
      // On PATH, keep looking for the backup's version if this one differs.
      if directory == nil, let majorVersion, version != majorVersion {
        if !others.contains(where: { $0.directory == candidate }) { others.append((candidate, version)) }
        continue
      }
      return ServerBinaries(directory: candidate, majorVersion: version, problem: nil)
    }
    if let majorVersion, !others.isEmpty {
      let found = others.map { "PostgreSQL \($0.version) at \($0.directory)" }
      let listed =
        found.count == 1 ? found[0] : found.dropLast().joined(separator: ", ") + " and " + found[found.count - 1]
      return ServerBinaries(
        directory: nil, majorVersion: nil,
        problem: "found \(listed), the backup needs \(majorVersion); install PostgreSQL "
          + "\(majorVersion)'s server programs")
    }
    let searched = directory.map { "in \($0)" } ?? "on PATH or in the usual places"
    return ServerBinaries(
      directory: directory, majorVersion: nil,
      problem: "no pg_ctl and postgres \(searched)"
        + (majorVersion.map { " for PostgreSQL \($0)" } ?? ""))
  }

  /// The major version `pg_ctl --version` prints (`pg_ctl (PostgreSQL) 15.18 (Debian …)`).
  static func majorVersion(of pgCtl: String) -> Int? {
    guard let result = try? ProcessRunner.run(pgCtl, ["--version"], timeout: 10), result.succeeded,
      let match = result.standardOutput.firstMatch(of: /\(PostgreSQL\) (\d+)/)
    else { return nil }
    return Int(match.1)
  }

  public func userExists(_ name: String) -> Bool { getpwnam(name) != nil }

  public var isRoot: Bool { getuid() == 0 }

  public var pitrExecutable: String {
    (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
      ?? CommandLine.arguments[0]
  }

  /// The physical memory, or the cgroup's memory limit when that is lower (a container).
  public var memoryBytes: Int64? {
    let physical = Int64(clamping: ProcessInfo.processInfo.physicalMemory)
    guard
      let text = try? String(contentsOfFile: "/sys/fs/cgroup/memory.max", encoding: .utf8),
      let limit = Int64(text.trimmingCharacters(in: .whitespacesAndNewlines)), limit > 0
    else { return physical > 0 ? physical : nil }
    return physical > 0 ? min(physical, limit) : limit
  }
}
