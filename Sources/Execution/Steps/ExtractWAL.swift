import Compiler
import Foundation

/// `extract-wal`: `extract-base` wrote the WAL the backup carries; this checks it arrived.
struct ExtractWAL {
  let payload: StepAction.ExtractWAL

  func run(_ step: Step, in context: StepContext) throws {
    let folder = payload.walDirectory
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
    guard names.contains(where: { $0.count == 24 && $0.allSatisfy(\.isHexDigit) }) else {
      throw RunnerError("\(folder) holds no WAL segment after extraction; the backup's WAL archive is missing or empty")
    }
  }
}
