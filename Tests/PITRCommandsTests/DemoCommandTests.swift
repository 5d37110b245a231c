import Foundation
import Testing
import _PITRTestSupport

#if canImport(Glibc)
  import Glibc
#endif

/// `pitr demo`, README's first command: the whole job on a throw-away cluster.
@Suite(.tags(.integration), .enabled(if: PostgresLab.isAvailable))
struct DemoCommandTests {
  @Test func restoresTheRowsAndRemovesEverything() throws {
    let parent = try TemporaryDirectory("demo")
    defer { parent.remove() }
    let folder = parent.file("demo")
    let result = try pitr("demo", "--directory", folder, timeout: 300)
    #expect(result.status == 0, "\(result.standardOutput)\n\(result.standardError)")
    #expect(result.standardOutput.contains("rows left in inventarios: 0"))
    #expect(result.standardOutput.contains("action: promote-if-verified"))
    #expect(result.standardOutput.contains("check passed: the last insert is back"))
    #expect(result.standardOutput.contains("PostgreSQL stopped where pitr predicted: recovery stopping before commit"))
    #expect(result.standardOutput.contains("SELECT count(*) FROM inventarios → 11"))
    #expect(result.standardOutput.contains("| Ultimo_Registro |"))
    #expect(!FileManager.default.fileExists(atPath: folder), "the demo left \(folder) behind")
  }

  /// The same demo run by an ordinary user (postgres), with no runuser involved.
  @Test(.enabled(if: getuid() == 0, "needs root to become another user"))
  func worksAsANormalUser() throws {
    let parent = try TemporaryDirectory("demo-user")
    defer { parent.remove() }
    let user = try #require(getpwnam("postgres"))
    #expect(chown(parent.path, user.pointee.pw_uid, user.pointee.pw_gid) == 0)
    let folder = parent.file("demo")
    let result = try ProcessRunner.run(
      "/usr/sbin/runuser",
      ["-u", "postgres", "--", RepositoryPaths.pitrExecutable, "demo", "--directory", folder],
      environment: ["NO_COLOR": "1", "HOME": "/var/lib/postgresql"], timeout: 300)
    #expect(result.status == 0, "\(result.standardOutput)\n\(result.standardError)")
    #expect(result.standardOutput.contains("SELECT count(*) FROM inventarios → 11"))
    #expect(!result.standardOutput.contains("os_user:"), "a normal user's plan needs no os_user")
    #expect(!FileManager.default.fileExists(atPath: folder))
  }

  @Test func refusesAFolderThatIsNotEmpty() throws {
    let directory = try TemporaryDirectory("demo-busy")
    defer { directory.remove() }
    try Data("mine".utf8).write(to: URL(fileURLWithPath: directory.file("keep.txt")))
    let result = try pitr("demo", "--directory", directory.path)
    #expect(result.status == 64)
    #expect(
      result.standardError
        == "pitr: error: \(directory.path) is not empty; pitr demo builds only in a new or empty folder\n")
    #expect(FileManager.default.fileExists(atPath: directory.file("keep.txt")))
  }
}
