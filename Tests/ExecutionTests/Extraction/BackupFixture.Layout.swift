import Catalog
import Testing

extension BackupFixture {
  /// How a fixture is written: the forms pg_basebackup leaves (tar plain, gzip'd, zstd'd
  /// or lz4'd; zstd and lz4 compress the tablespace tars too, as `-Z server-zstd` does).
  enum Layout: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case tar, tarGzip, tarZstd, tarLZ4, plain

    /// The catalog's format for it.
    var format: BaseBackup.Format { self == .plain ? .plain : .tar }

    /// The base archive's name, as errors start: `base.tar: `; plain backups are named by
    /// their folder.
    var baseArchive: String {
      switch self {
      case .tarGzip: "base.tar.gz"
      case .tarZstd: "base.tar.zst"
      case .tarLZ4: "base.tar.lz4"
      case .tar, .plain: "base.tar"
      }
    }

    var testDescription: String { rawValue }
  }

  /// Writes the backup in `layout` into `folder` and returns the folder.
  @discardableResult
  func write(_ layout: Layout, into folder: String) throws -> String {
    switch layout {
    case .tar: try writeTar(into: folder, gzip: false)
    case .tarGzip: try writeTar(into: folder, gzip: true)
    case .tarZstd: try writeTar(into: folder, compression: .zstd)
    case .tarLZ4: try writeTar(into: folder, compression: .lz4)
    case .plain: try writePlain(into: folder)
    }
    return folder
  }
}
