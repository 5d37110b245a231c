import Foundation
import Testing
import _PITRTestSupport

/// Runs the built `pitr` executable, as a user would.
func pitr(
  _ arguments: String..., environment: [String: String] = [:], timeout: Double = 30
) throws -> ProcessResult {
  try pitr(arguments: arguments, environment: environment, timeout: timeout)
}

/// Runs the built `pitr` executable with `arguments` given as an array.
func pitr(
  arguments: [String], environment: [String: String] = [:], timeout: Double = 30
) throws -> ProcessResult {
  let result = try ProcessRunner.run(
    RepositoryPaths.pitrExecutable, arguments,
    environment: ["NO_COLOR": "1"].merging(environment) { $1 }, timeout: timeout)
  #expect(!result.timedOut, "pitr \(arguments.joined(separator: " ")) hung")
  #expect(!result.terminatedBySignal, "pitr \(arguments.joined(separator: " ")) crashed")
  return result
}
