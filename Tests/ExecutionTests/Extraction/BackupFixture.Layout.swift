import Catalog
import Testing

extension BackupFixture {
  /// How a fixture is written: the three forms pg_basebackup leaves.
  enum Layout: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case tar, tarGzip, plain

    /// The catalog's format for it.
    var format: BaseBackup.Format { self == .plain ? .plain : .tar }

    /// The base archive's name, as errors start: `base.tar: `; plain backups are named by
    /// their folder.
    var baseArchive: String { self == .tarGzip ? "base.tar.gz" : "base.tar" }

    var testDescription: String { rawValue }
  }

  /// Writes the backup in `layout` into `folder` and returns the folder.
  @discardableResult
  func write(_ layout: Layout, into folder: String) throws -> String {
    switch layout {
    case .tar: try writeTar(into: folder, gzip: false)
    case .tarGzip: try writeTar(into: folder, gzip: true)
    case .plain: try writePlain(into: folder)
    }
    return folder
  }
}
