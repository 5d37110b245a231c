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

    /// Whether archived files are gzip'd and named `<name>.gz`.
    public var isCompressed: Bool { self != .plainFlat }

    /// The case's name.
    public var description: String { rawValue }
  }
}
