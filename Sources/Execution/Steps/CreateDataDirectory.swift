import Compiler
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// `create-data-directory`: the data directory (mode 0700) and the WAL spool, owned by the
/// server's OS user when pitr runs as root.
struct CreateDataDirectory {
  let payload: StepAction.CreateDataDirectory

  func run(_ step: Step, in context: StepContext) throws {
    let data = payload.dataDirectory
    try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
    chmod(data, 0o700)
    try StepContext.chown(data, to: payload.owner)
    try FileManager.default.createDirectory(atPath: payload.spool, withIntermediateDirectories: true)
    try StepContext.chown(payload.spool, to: payload.owner)
  }
}
