import Compiler
import Foundation

/// `check-destination`: until this run creates it, anything at the data directory's path
/// came from elsewhere since the plan was checked; the port must still be free (unless the
/// server this restore started holds it).
struct CheckDestination {
  let payload: StepAction.CheckDestination

  func run(_ step: Step, in context: StepContext) throws {
    // Not `directoryState`: this run's own journal is there.
    if !context.isDone(.createDataDirectory) {
      let data = payload.dataDirectory
      var isDirectory: ObjCBool = false
      if FileManager.default.fileExists(atPath: data, isDirectory: &isDirectory) {
        guard isDirectory.boolValue else {
          throw RunnerError("\(data) is now a file; pitr restores only into an absent or empty directory")
        }
        guard (try? FileManager.default.contentsOfDirectory(atPath: data))?.isEmpty == true else {
          throw RunnerError("\(data) is no longer empty; pitr restores only into an absent or empty directory")
        }
      }
    }
    let running = RestoredServer.isRunning(dataDirectory: payload.dataDirectory)
    if !running, SystemEnvironment().isPortInUse(payload.port) {
      throw RunnerError("port \(payload.port) is now in use; choose another in the plan")
    }
  }
}
