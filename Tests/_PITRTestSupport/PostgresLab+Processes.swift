import Foundation

/// Finding processes a lab may have left behind.
extension PostgresLab {
  /// The ids of live processes whose command line mentions `path` (a server started with
  /// `-D <path>/…`, an archive command writing under it); empty when there are none.
  ///
  /// Reads `/proc`, so it sees every process whatever its parent; zombies, which have no
  /// command line, are not counted.
  public static func processes(mentioning path: String) -> [Int32] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    let needle = Data(path.utf8)
    return names.compactMap { name -> Int32? in
      guard let pid = Int32(name),
        let commandLine = FileManager.default.contents(atPath: "/proc/\(name)/cmdline"),
        commandLine.range(of: needle) != nil
      else { return nil }
      return pid
    }.sorted()
  }
}
