import Execution
import Foundation
import Testing
import _PITRTestSupport

/// What the S3 and SSH apply tests share: the plan over remote locations, and a `pitr apply`
/// that the test pauses once extraction has begun, to change the repository under it.
enum ApplyRemote {
  /// A plan restoring `base` and `wal` (locations as written: `s3://…`, `ssh://…`) into
  /// `sandbox`; with `moto`, a `backups.s3:` block naming it (path style, us-east-1). No
  /// credential is ever in it.
  static func planText(
    base: String, wal: String, moto: MotoServer? = nil, target: String, sandbox: RestoreSandbox
  ) -> String {
    let text = ApplyHarness.planText(base: base, wal: wal, target: target, sandbox: sandbox)
    guard let moto else { return text }
    return text.replacing(
      "  wal: \(wal)\n",
      with: "  wal: \(wal)\n  s3: {endpoint: \"\(moto.endpoint)\", region: us-east-1, path_style: true}\n")
  }

  /// The text of the journal step `id`'s status, or nil when it has none (or no journal).
  static func stepStatus(_ id: String, in sandbox: RestoreSandbox) -> Journal.Status? {
    (try? ApplyHarness.journal(in: sandbox))?.steps.first { $0.id == id }?.status
  }
}

/// `pitr apply PLAN --yes` running as a child process, which the test stops (SIGSTOP) as soon
/// as the data directory has its first entry (extraction has begun), changes the repository,
/// and lets go on (SIGCONT): what happens mid-extraction, with no sleep deciding it.
final class ApplyPausedMidExtraction {
  let process = Process()
  private let output: FileHandle
  private let errors: FileHandle
  private let outputPath: String
  private let errorPath: String

  /// Starts `pitr apply PLAN --yes` with the sandbox's cache and `environment` added, and
  /// stops it once the data directory holds `bytes` bytes of files (1: its first file).
  init(plan: String, sandbox: RestoreSandbox, environment: [String: String], bytes: Int64 = 1) throws {
    outputPath = sandbox.file("apply.out")
    errorPath = sandbox.file("apply.err")
    for path in [outputPath, errorPath] { _ = FileManager.default.createFile(atPath: path, contents: nil) }
    output = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
    errors = try FileHandle(forWritingTo: URL(fileURLWithPath: errorPath))
    process.executableURL = URL(fileURLWithPath: RepositoryPaths.pitrExecutable)
    process.arguments = ["apply", plan, "--yes"]
    process.environment = ProcessInfo.processInfo.environment.merging(
      ["NO_COLOR": "1", "XDG_CACHE_HOME": sandbox.file("cache")].merging(environment) { $1 }
    ) { $1 }
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    // Poll (not sleep-and-hope) for the first entry extraction writes, then stop pitr there.
    let deadline = Date().addingTimeInterval(120)
    while process.isRunning, Date() < deadline {
      if Self.bytes(under: sandbox.dataDirectory) >= bytes {
        kill(process.processIdentifier, SIGSTOP)
        return
      }
      usleep(1000)
    }
    throw FixtureError("pitr apply ended (or took 120 s) before extraction began: \(finish().standardError)")
  }

  /// The bytes of the regular files below `folder`.
  static func bytes(under folder: String) -> Int64 {
    let files = FileManager.default.enumerator(atPath: folder)?.compactMap { $0 as? String } ?? []
    return files.reduce(0) { total, relative in
      let attributes = try? FileManager.default.attributesOfItem(atPath: "\(folder)/\(relative)")
      guard attributes?[.type] as? FileAttributeType == .typeRegular else { return total }
      return total + ((attributes?[.size] as? NSNumber)?.int64Value ?? 0)
    }
  }

  /// Lets pitr go on and waits for it to end.
  func finish() -> (status: Int32, standardOutput: String, standardError: String) {
    kill(process.processIdentifier, SIGCONT)
    process.waitUntilExit()
    try? output.close()
    try? errors.close()
    let read = { (path: String) in (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
    return (process.terminationStatus, read(outputPath), read(errorPath))
  }
}
