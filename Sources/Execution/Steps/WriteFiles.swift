import Compiler
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// `write-recovery-config` and `write-signal`: each file whole, with the bytes and the
/// permissions the compiled plan gives (the dry run shows the same), atomically.
struct WriteFiles {
  let payload: StepAction.WriteFiles

  func run(_ step: Step, in context: StepContext) throws {
    for file in payload.files { try Self.write(file) }
  }

  static func write(_ file: FileContent) throws {
    do {
      try Data(file.content.utf8).write(to: URL(fileURLWithPath: file.path), options: .atomic)
      chmod(file.path, mode_t(file.mode))
      try StepContext.chown(file.path, to: file.owner)
    } catch let error as RunnerError {
      throw error
    } catch {
      throw RunnerError("cannot write \(file.path): \(error.localizedDescription)")
    }
  }
}
