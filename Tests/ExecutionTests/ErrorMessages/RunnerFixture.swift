import Catalog
import Compiler
import Execution
import Foundation
import PlanLoading
import PlanModel
import Testing
import _PITRTestSupport

#if canImport(Glibc)
  import Glibc
#endif

/// A synthetic repository (backup `b1` at 0/200028 with an empty `pg_wal.tar`, 1 MiB
/// segments, a restore point `before_delete`) and a plan compiled against it with
/// ``FixedEnvironment``, restoring into `restore/data` of the same temporary folder: enough
/// for `RestoreRunner` to reach its checks, which all come before any server is started.
final class RunnerFixture {
  let repository: RepositoryFixture

  init() throws {
    repository = try RepositoryFixture()
    do {
      try repository.writeBeforeDeleteScenario()
    } catch {
      repository.remove()
      throw error
    }
  }

  func remove() { repository.remove() }

  /// Where the plan restores to (absent until a test makes it).
  var dataDirectory: String { repository.directory.file("restore/data") }
  /// pitr's state directory beside it.
  var stateDirectory: String { dataDirectory + ".pitr" }

  /// The plan to `before_delete`, restoring into ``dataDirectory`` on `port`, as `postgres`.
  func compile(port: Int = 5599) throws -> CompiledPlan {
    let yaml = """
      version: 1
      name: error-messages
      backups:
        base: \(repository.base)
        wal: \(repository.wal)
      target:
        name: before_delete
      destination:
        data_directory: \(dataDirectory)
        port: \(port)
        os_user: postgres
      action: promote

      """
    return try PlanCompiling.compile(yaml, file: "plans/error-messages.yaml")
  }

  /// A runner of `plan` (no server is ever started by the tests that use it).
  func runner(_ plan: CompiledPlan) -> (RestoreRunner, RecordingObserver) {
    let observer = RecordingObserver()
    let resolver = StepResolver(
      pitrExecutable: "/usr/local/bin/pitr", binDirectory: plan.destination.binDirectory,
      serverUser: getuid() == 0 ? plan.destination.osUser : nil)
    return (RestoreRunner(plan: plan, resolver: resolver, observer: observer, timeout: 5), observer)
  }

  /// Writes `journal` as `<state>/journal.json`, the way the runner keeps it.
  func seed(_ journal: Journal) throws {
    try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    encoder.dateEncodingStrategy = .iso8601
    try encoder.encode(journal).write(to: URL(fileURLWithPath: "\(stateDirectory)/journal.json"))
  }
}

/// A TCP socket listening on all addresses, on a port the kernel chose; closed by `close()`.
final class ListeningSocket {
  let descriptor: Int32
  let port: Int

  init() throws {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { throw FixtureError("socket() failed") }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = INADDR_ANY
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let listening = withUnsafeMutablePointer(to: &address) { pointer in
      pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        bind(descriptor, $0, length) == 0 && listen(descriptor, 1) == 0
          && getsockname(descriptor, $0, &length) == 0
      }
    }
    guard listening else {
      Glibc.close(descriptor)
      throw FixtureError("cannot listen on a port")
    }
    self.descriptor = descriptor
    port = Int(UInt16(bigEndian: address.sin_port))
  }

  func close() { Glibc.close(descriptor) }
}
