import Archives
import Compiler
import Foundation
import Storage

#if canImport(Glibc)
  import Glibc
#endif

/// `prefetch-wal`: decompresses the segments the compiled plan lists into the spool while
/// the base backup is extracted and then while recovery runs (nothing orders them: the
/// server starts without waiting for it); `pitr wal-fetch` serves them from there. A segment
/// recovery has already restored (it is in pg_wal) is passed over. A failure is only a note:
/// `wal-fetch` reads the archive itself when a segment is not in the spool.
struct PrefetchWAL {
  let payload: StepAction.PrefetchWAL

  func run(_ step: Step, in context: StepContext) throws {
    do {
      try Self.fill(payload, isCancelled: { context.isCancelled })
    } catch {
      context.observer.note("WAL prefetch stopped early (recovery reads the archive directly): \(error)")
    }
  }

  /// Spools each segment of `payload` not spooled yet and not restored by recovery yet.
  static func fill(_ payload: StepAction.PrefetchWAL, isCancelled: () -> Bool) throws {
    let owner = StepContext.owner(named: payload.owner)
    for segment in payload.segments {
      if isCancelled() { return }
      let target = "\(payload.spool)/\(segment.name)"
      guard !FileManager.default.fileExists(atPath: target) else { continue }
      if let wal = payload.walDirectory, FileManager.default.fileExists(atPath: "\(wal)/\(segment.name)") {
        continue
      }
      try Self.decompress(segment.source, to: target)
      if let owner { chown(target, owner.uid, owner.gid) }
    }
  }

  /// Writes the decompressed file beside `target`, then renames it into place.
  static func decompress(_ source: String, to target: String) throws {
    var stream = try RepositoryStores.current.openDecompressed(source)
    let temporary = target + ".prefetch"
    guard FileManager.default.createFile(atPath: temporary, contents: nil),
      let handle = FileHandle(forWritingAtPath: temporary)
    else { throw RunnerError("cannot write \(temporary)") }
    defer { try? handle.close() }
    var buffer = [UInt8](repeating: 0, count: 1 << 20)
    while true {
      let count = try buffer.withUnsafeMutableBytes { try stream.read(into: $0) }
      if count == 0 { break }
      try handle.write(contentsOf: buffer[..<count])
    }
    try handle.synchronize()
    guard rename(temporary, target) == 0 else { throw RunnerError("cannot rename \(temporary)") }
  }
}
