import Foundation
import Testing
import _PITRTestSupport

#if canImport(Glibc)
  import Glibc
#endif

/// `pitr demo` when a server binary fails: DemoCluster says which program failed and what it
/// printed (its standard error, then its standard output), and the command exits 1. The
/// binaries are stubs found first on PATH, so no PostgreSQL installation is needed.
@Suite struct DemoClusterErrorTests {
  /// As root the demo runs the binaries as `postgres`, which must exist.
  static let canRun = getuid() != 0 || getpwnam("postgres") != nil

  @Test(.enabled(if: canRun, "as root, pitr demo needs a postgres user"))
  func aFailingInitdbIsReportedWithItsOutput() throws {
    let parent = try TemporaryDirectory("demo-initdb-fails")
    defer { parent.remove() }
    // Readable by the postgres user when pitr runs as root and runs initdb through runuser.
    chmod(parent.path, 0o755)
    let bin = parent.file("bin")
    try parent.write(
      "#!/bin/sh\necho 'what initdb printed'\necho 'initdb: error: stub refuses' >&2\nexit 1\n",
      to: "bin/initdb")
    for program in ["pg_ctl", "postgres", "pg_basebackup"] {
      try parent.write("#!/bin/sh\nexit 0\n", to: "bin/\(program)")
    }
    chmod(bin, 0o755)
    for program in ["initdb", "pg_ctl", "postgres", "pg_basebackup"] { chmod("\(bin)/\(program)", 0o755) }
    let folder = parent.file("demo")
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"

    let result = try ProcessRunner.run(
      RepositoryPaths.pitrExecutable, ["demo", "--directory", folder],
      environment: ["NO_COLOR": "1", "PATH": "\(bin):\(path)"], timeout: 60)

    #expect(!result.timedOut && !result.terminatedBySignal)
    #expect(result.status == 1, "\(result.standardOutput)\n\(result.standardError)")
    #expect(
      result.standardError
        == "pitr: error: initdb failed: initdb: error: stub refuses\nwhat initdb printed\n")
    #expect(result.standardOutput.contains("initdb and start PostgreSQL (\(bin))"), "\(result.standardOutput)")
    #expect(result.standardOutput.contains("(run pitr demo --keep to look at \(folder) afterwards)"))
    #expect(!FileManager.default.fileExists(atPath: folder), "the demo left \(folder) behind")
  }
}
