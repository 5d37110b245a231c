import Compiler
import Execution
import Foundation
import Testing
import _PITRTestSupport

@Suite struct SystemEnvironmentTests {
  @Test func directoryStates() throws {
    let directory = try TemporaryDirectory("environment")
    defer { directory.remove() }
    let environment = SystemEnvironment()
    #expect(environment.directoryState(directory.file("absent")) == .absent)
    #expect(environment.directoryState(directory.path) == .empty)
    try directory.write("15\n", to: "data/PG_VERSION")
    #expect(environment.directoryState(directory.file("data")) == .notEmpty(entries: 1, isDataDirectory: true, running: false))
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

  @Test func serverBinariesAreFoundWithTheirVersion() {
    let binaries = SystemEnvironment().serverBinaries(in: "/usr/lib/postgresql/15/bin", majorVersion: 15)
    #expect(binaries.majorVersion == 15)
    #expect(binaries.problem == nil)
    let missing = SystemEnvironment().serverBinaries(in: "/nonexistent/bin", majorVersion: 15)
    #expect(missing.problem == "no pg_ctl and postgres in /nonexistent/bin for PostgreSQL 15")
  }

  @Test func usersAndFreeSpace() {
    let environment = SystemEnvironment()
    #expect(environment.userExists("root"))
    #expect(!environment.userExists("no-such-user-pitr"))
    #expect((environment.freeBytes(at: "/tmp/does/not/exist/yet") ?? 0) > 0)
  }
}
