import Compiler

/// A machine for compiler tests: everything is as the test says, nothing is probed.
public struct FixedEnvironment: CompilerEnvironment {
  public var directories: [String: DirectoryState] = [:]
  public var portsInUse: Set<Int> = []
  public var free: Int64? = 1 << 40
  public var binaries = ServerBinaries(directory: "/usr/lib/postgresql/15/bin", majorVersion: 15, problem: nil)
  public var users: Set<String> = ["postgres"]
  public var isRoot = false
  public var pitrExecutable = "/usr/local/bin/pitr"
  /// The machine's memory: 16 GiB.
  public var memoryBytes: Int64? = 16 << 30
  /// Symbolic links to directories, by path: `["/srv": "/mnt/data"]`.
  public var links: [String: String] = [:]

  public init() {}

  public func directoryState(_ path: String) -> DirectoryState { directories[path] ?? .absent }
  public func isPortInUse(_ port: Int) -> Bool { portsInUse.contains(port) }
  public func freeBytes(at path: String) -> Int64? { free }
  public func serverBinaries(in directory: String?, majorVersion: Int?) -> ServerBinaries { binaries }
  public func userExists(_ name: String) -> Bool { users.contains(name) }
  public func resolvingLinks(_ path: String) -> String {
    for (link, target) in links where path == link || path.hasPrefix(link + "/") {
      return target + path.dropFirst(link.count)
    }
    return path
  }
}
