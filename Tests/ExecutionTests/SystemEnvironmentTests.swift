import Compiler
import Execution
import Foundation
import Testing
import _PITRTestSupport

#if canImport(Glibc)
  import Glibc
#endif

@Suite struct SystemEnvironmentTests {
  @Test func directoryStates() throws {
    let directory = try TemporaryDirectory("environment")
    defer { directory.remove() }
    let environment = SystemEnvironment()
    #expect(environment.directoryState(directory.file("absent")) == .absent)
    #expect(environment.directoryState(directory.path) == .empty)
    try directory.write("15\n", to: "data/PG_VERSION")
    #expect(
      environment.directoryState(directory.file("data")) == .notEmpty(entries: 1, isDataDirectory: true, running: false)
    )
    #expect(environment.directoryState(directory.file("data/PG_VERSION")) == .file)
  }

  @Test func portInUseIsSeen() throws {
    // Listen on a port, then ask.
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = INADDR_ANY
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) { pointer in
      pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        bind(descriptor, $0, length) == 0 && listen(descriptor, 1) == 0 && getsockname(descriptor, $0, &length) == 0
      }
    }
    let port = Int(UInt16(bigEndian: address.sin_port))
    #expect(SystemEnvironment().isPortInUse(port))
  }

  /// A server that stopped leaves its closed connections in TIME_WAIT on its port for a
  /// minute; PostgreSQL binds with SO_REUSEADDR, so they do not keep a new one off it.
  @Test func aPortWithOnlyTimeWaitConnectionsIsFree() throws {
    let listener = try TCPEndpoint.listen()
    let port = listener.port
    let client = try TCPEndpoint.connect(to: port)
    let accepted = try listener.accept()
    #expect(SystemEnvironment().isPortInUse(port))
    // The server side closes first: its end of the connection sits in TIME_WAIT.
    accepted.close()
    usleep(50_000)
    client.close()
    listener.close()
    #expect(TCPEndpoint.timeWaitPorts().contains(port), "no TIME_WAIT connection on \(port)")
    // A bind without SO_REUSEADDR still fails there: the TIME_WAIT connection is real.
    #expect(!TCPEndpoint.bindsWithoutReuse(port))

    #expect(!SystemEnvironment().isPortInUse(port))
  }

  @Test func linksOfADestinationsExistingPartAreResolved() throws {
    let directory = try TemporaryDirectory("links")
    defer { directory.remove() }
    let real = directory.file("mnt/data")
    try FileManager.default.createDirectory(atPath: real, withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(atPath: directory.file("srv"), withDestinationPath: real)
    let environment = SystemEnvironment()
    // `directory` itself may be below a link (/tmp on some systems): compare with its own.
    let base = environment.resolvingLinks(directory.path)

    #expect(environment.resolvingLinks(directory.file("srv/pg/data")) == "\(base)/mnt/data/pg/data")
    #expect(environment.resolvingLinks(directory.file("srv")) == "\(base)/mnt/data")
    #expect(environment.resolvingLinks(directory.file("srv//pg/./data/")) == "\(base)/mnt/data/pg/data")
    #expect(environment.resolvingLinks(directory.file("mnt/new")) == "\(base)/mnt/new")
    #expect(environment.resolvingLinks("/") == "/")
  }

  @Test func serverBinariesAreFoundWithTheirVersion() {
    let binaries = SystemEnvironment().serverBinaries(in: "/usr/lib/postgresql/15/bin", majorVersion: 15)
    #expect(binaries.majorVersion == 15)
    #expect(binaries.problem == nil)
    let missing = SystemEnvironment().serverBinaries(in: "/nonexistent/bin", majorVersion: 15)
    #expect(missing.problem == "no pg_ctl and postgres in /nonexistent/bin for PostgreSQL 15")
  }

  /// Only other majors on PATH: the message names them and the one the backup needs.
  @Test func serverBinariesOfAnotherVersionAreNamed() throws {
    let directory = try TemporaryDirectory("binaries")
    defer { directory.remove() }
    for (folder, version) in [("pg15", "15.18"), ("pg16", "16.4")] {
      let bin = directory.file(folder)
      try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
      for program in ["pg_ctl", "postgres"] {
        let path = "\(bin)/\(program)"
        try "#!/bin/sh\necho '\(program) (PostgreSQL) \(version)'\n".write(
          toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o755)
      }
    }
    let one = SystemEnvironment.serverBinaries(
      in: nil, majorVersion: 17, searchPath: "/nonexistent:\(directory.file("pg15"))",
      usualPlaces: ["/nonexistent/17/bin"])
    #expect(
      one.problem
        == "found PostgreSQL 15 at \(directory.file("pg15")), the backup needs 17; install "
        + "PostgreSQL 17's server programs")
    let two = SystemEnvironment.serverBinaries(
      in: nil, majorVersion: 17, searchPath: directory.file("pg15"), usualPlaces: [directory.file("pg16")])
    #expect(
      two.problem
        == "found PostgreSQL 15 at \(directory.file("pg15")) and PostgreSQL 16 at "
        + "\(directory.file("pg16")), the backup needs 17; install PostgreSQL 17's server programs")
    let found = SystemEnvironment.serverBinaries(
      in: nil, majorVersion: 16, searchPath: directory.file("pg15"), usualPlaces: [directory.file("pg16")])
    #expect(found.directory == directory.file("pg16"))
    #expect(found.majorVersion == 16)
    let none = SystemEnvironment.serverBinaries(
      in: nil, majorVersion: 17, searchPath: "/nonexistent", usualPlaces: [])
    #expect(none.problem == "no pg_ctl and postgres on PATH or in the usual places for PostgreSQL 17")
  }

  @Test func usersAndFreeSpace() {
    let environment = SystemEnvironment()
    #expect(environment.userExists("root"))
    #expect(!environment.userExists("no-such-user-pitr"))
    #expect((environment.freeBytes(at: "/tmp/does/not/exist/yet") ?? 0) > 0)
  }
}

/// Plain TCP sockets on 127.0.0.1 for the port tests; the listener binds as PostgreSQL
/// does, with SO_REUSEADDR (its connections inherit it).
struct TCPEndpoint {
  let descriptor: Int32
  let port: Int

  static func listen() throws -> TCPEndpoint {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var reuse: Int32 = 1
    setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
    var address = loopback(port: 0)
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let listening = withUnsafeMutablePointer(to: &address) { pointer in
      pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        bind(descriptor, $0, length) == 0 && Glibc.listen(descriptor, 4) == 0
          && getsockname(descriptor, $0, &length) == 0
      }
    }
    guard listening else { throw FixtureError("cannot listen: \(String(cString: strerror(errno)))") }
    return TCPEndpoint(descriptor: descriptor, port: Int(UInt16(bigEndian: address.sin_port)))
  }

  static func connect(to port: Int) throws -> TCPEndpoint {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var address = loopback(port: port)
    let connected = withUnsafePointer(to: &address) { pointer in
      pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
      }
    }
    guard connected else { throw FixtureError("cannot connect: \(String(cString: strerror(errno)))") }
    return TCPEndpoint(descriptor: descriptor, port: port)
  }

  func accept() throws -> TCPEndpoint {
    let connection = Glibc.accept(descriptor, nil, nil)
    guard connection >= 0 else { throw FixtureError("accept failed") }
    return TCPEndpoint(descriptor: connection, port: port)
  }

  func close() { _ = Glibc.close(descriptor) }

  /// Whether a socket without SO_REUSEADDR can bind `port` on all addresses.
  static func bindsWithoutReuse(_ port: Int) -> Bool {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { _ = Glibc.close(descriptor) }
    var address = loopback(port: port)
    address.sin_addr.s_addr = INADDR_ANY
    return withUnsafePointer(to: &address) { pointer in
      pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
      }
    }
  }

  /// The local ports of the TCP connections in TIME_WAIT (state 06 in /proc/net/tcp).
  static func timeWaitPorts() -> Set<Int> {
    // Read to the end by hand: /proc files report size 0, and a reader that trusts the size
    // stops after the first page (about 25 connections), missing ours on a busy machine.
    var bytes: [UInt8] = []
    if let file = fopen("/proc/net/tcp", "r") {
      defer { fclose(file) }
      var chunk = [UInt8](repeating: 0, count: 65536)
      while case let count = fread(&chunk, 1, chunk.count, file), count > 0 {
        bytes += chunk[..<count]
      }
    }
    let text = String(decoding: bytes, as: UTF8.self)
    var ports: Set<Int> = []
    for line in text.split(separator: "\n").dropFirst() {
      let fields = line.split(separator: " ")
      guard fields.count > 3, fields[3] == "06", let local = fields[1].split(separator: ":").last,
        let port = Int(local, radix: 16)
      else { continue }
      ports.insert(port)
    }
    return ports
  }

  private static func loopback(port: Int) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = in_port_t(UInt16(truncatingIfNeeded: port)).bigEndian
    return address
  }
}
