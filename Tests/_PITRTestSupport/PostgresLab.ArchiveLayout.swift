extension PostgresLab {
  /// How a lab's `archive_command` files finished WAL files, after the seed labs.
  ///
  /// Every layout writes into a spool directory first and renames into the archive, so a
  /// test never sees a half-written file; otherwise the commands are the seeds'.
  public enum ArchiveLayout: String, Sendable, CaseIterable, CustomStringConvertible {
    /// `cp %p <archive>/%f`: every file under its own name (seed 000, `laboratorio_pitr`).
    case plainFlat
    /// `gzip < %p > <archive>/%f.gz`: every file gzip'd, `.gz` appended (seed 001,
    /// `inventarios`).
    case gzipFlat
    /// A script that files every file gzip'd into a folder for the day it was archived:
    /// `<archive>/YYYY-MM-DD/<name>.gz` (seed 000's dated script, with gzip and today's UTC
    /// date, or the day ``Archive/setDay(_:)`` set).
    case gzipDated
    /// `zstd -q %p -o <archive>/%f.zst`: every file compressed with zstd, `.zst` appended.
    case zstdFlat
    /// `lz4 -q %p <archive>/%f.lz4`: every file compressed with lz4 (frame), `.lz4` appended.
    case lz4Flat
    /// Seed 000's dated script with `zstd` instead of gzip: `<archive>/YYYY-MM-DD/<name>.zst`.
    case zstdDated
    /// Seed 000's dated script with `lz4` instead of gzip: `<archive>/YYYY-MM-DD/<name>.lz4`.
    case lz4Dated

    /// Whether files go into a folder for the day they were archived (`YYYY-MM-DD/`).
    public var isDated: Bool { [.gzipDated, .zstdDated, .lz4Dated].contains(self) }

    /// Whether archived files are compressed and named `<name><suffix>`.
    public var isCompressed: Bool { self != .plainFlat }

    /// What archived files' names end with: `""`, `.gz`, `.zst` or `.lz4`.
    public var suffix: String {
      switch self {
      case .plainFlat: ""
      case .gzipFlat, .gzipDated: ".gz"
      case .zstdFlat, .zstdDated: ".zst"
      case .lz4Flat, .lz4Dated: ".lz4"
      }
    }

    /// The case's name.
    public var description: String { rawValue }
  }
}
