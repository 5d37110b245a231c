import Foundation
import _PITRTestSupport

/// A plan of `plans/` run against a test's lab: `PITR_LAB` names a folder whose entries
/// (`backup_db`, `backup_wal`, …) are links to the lab's backups and archive, as the
/// notebooks laid them out, and the restore goes to the plan's own data directory there.
struct ExamplePlan {
  /// The plan file, a copy of the one in `plans/` on the sandbox's free port.
  let path: String
  /// What `PITR_LAB` is set to.
  let labFolder: String
  /// The data directory the plan restores into, inside ``labFolder``.
  let dataDirectory: String

  /// Copies `plans/<name>` into `sandbox` with only its `port: 5599` changed to the
  /// sandbox's port, and links each of `links` (a name in the lab folder → what it links to).
  init(_ name: String, dataDirectoryName: String, links: [String: String], sandbox: RestoreSandbox) throws {
    let original = try String(contentsOfFile: "\(RepositoryPaths.root)/plans/\(name)", encoding: .utf8)
    guard original.contains("\n  port: 5599\n") else { throw FixtureError("plans/\(name) has no port: 5599") }
    let text = original.replacingOccurrences(of: "\n  port: 5599\n", with: "\n  port: \(sandbox.port)\n")
    path = sandbox.file(name)
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    labFolder = sandbox.file("lab")
    try RestoreSandbox.makePostgresDirectory(labFolder)
    for (link, target) in links {
      try FileManager.default.createSymbolicLink(atPath: "\(labFolder)/\(link)", withDestinationPath: target)
    }
    dataDirectory = "\(labFolder)/\(dataDirectoryName)"
  }

  /// Runs SQL on the restored server, as `RestoreSandbox.sql` does.
  func sql(_ sql: String, port: Int, database: String = "postgres") throws -> String {
    try RestoreSandbox.sql(sql, dataDirectory: dataDirectory, port: port, database: database)
  }

  /// Stops the restored server, if it runs (the sandbox's removal deletes the files).
  func stopServer() { RestoreSandbox.stopServer(in: dataDirectory) }
}
