/// The compression a WAL archive file's suffix names (`.gz`, `.lz4`, `.zst`, …).
///
/// Only gzip (`.gz`) and lz4 (`.lz4`, 15+) come from PostgreSQL itself (`pg_receivewal`);
/// the others are what `archive_command` scripts and backup tools write. The suffix is a
/// hint: readers should trust the magic bytes of the content.
public enum WALFileCompression: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
  case gzip = "gz"
  case lz4 = "lz4"
  case zstd = "zst"
  case bzip2 = "bz2"
  case xz = "xz"

  /// The suffix without its dot: `gz`.
  public var fileExtension: String { rawValue }

  public var description: String {
    switch self {
    case .gzip: "gzip"
    case .lz4: "lz4"
    case .zstd: "zstd"
    case .bzip2: "bzip2"
    case .xz: "xz"
    }
  }
}
