import Foundation
import Storage

/// Whole small files of a repository (a backup's `backup_manifest`): from this machine, or
/// through the run's store for a remote path.
enum RepositoryFiles {
  static func contents(of path: String) -> Data? {
    guard RepositoryStores.isRemote(path) else { return FileManager.default.contents(atPath: path) }
    return (try? RepositoryStores.current.read(path)).map { Data($0) }
  }
}
