import Archives
import Catalog
import Compiler
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// `prefetch-wal`: decompresses the segments recovery will ask for into the spool while the
/// base backup is still being extracted; `pitr wal-fetch` serves them from there.
struct WALPrefetch {
  let plan: CompiledPlan
  let spool: String
  let owner: FileOwner?

  func run() throws {
    let folders = plan.destination.walFolders
    let cache = CatalogCache.forFolders(folders)
    let (archive, _) = Catalog.scanArchive(wal: folders, cache: cache)
    cache.save()
    let index = WALIndex(archive: archive, cache: cache)
    let size = archive.segmentSize ?? .sixteenMiB
    // Up to the segment recovery stops in (all of them for `latest`).
    let last = plan.prediction.lastSegment.flatMap { $0.segmentNumber(size: size) } ?? .max
    let paths = Dictionary(archive.segments.map { ($0.name, $0.path) }, uniquingKeysWith: { first, _ in first })
    for name in index.segments(along: plan.target.timeline, from: plan.backup.startLSN) {
      guard (name.segmentNumber(size: size) ?? 0) <= last else { break }
      guard let path = paths[name] else { continue }
      let target = "\(spool)/\(name)"
      if !FileManager.default.fileExists(atPath: target) {
        try Self.decompress(path, to: target)
        if let owner { chown(target, owner.uid, owner.gid) }
      }
    }
  }

  /// Writes the decompressed file beside `target`, then renames it into place.
  static func decompress(_ source: String, to target: String) throws {
    var stream = try DecompressedFileStream(path: source)
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
