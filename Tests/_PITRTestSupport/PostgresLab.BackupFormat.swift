extension PostgresLab {
  /// How `pg_basebackup` writes a lab's base backup (its `-F` and `--compress`).
  public enum BackupFormat: Sendable, Hashable, CustomStringConvertible {
    /// `-Ft`: `base.tar[.gz]`, and `pg_wal.tar[.gz]` when WAL is streamed.
    case tar(compression: TarCompression)
    /// `-Fp`: a copy of the data directory.
    case plain

    /// Who gzips a tar-format backup.
    public enum TarCompression: String, Sendable, Hashable, CaseIterable {
      /// Plain `base.tar` and `pg_wal.tar`.
      case none
      /// `--compress=gzip`: the client gzips, giving `base.tar.gz` and `pg_wal.tar.gz`.
      case clientGzip
      /// `--compress=server-gzip`: the server gzips, giving `base.tar.gz`; the streamed
      /// `pg_wal.tar` stays uncompressed (seed 001).
      case serverGzip
      /// `--compress=server-zstd`: the server compresses with zstd, giving `base.tar.zst`
      /// (and `<oid>.tar.zst` per tablespace); the streamed `pg_wal.tar` stays uncompressed.
      case serverZstd
      /// `--compress=server-lz4`: the same with lz4, giving `base.tar.lz4`.
      case serverLZ4
      /// `--compress=zstd`: the client compresses, giving `base.tar.zst`; PostgreSQL 15 leaves
      /// the streamed `pg_wal.tar` uncompressed (only gzip compresses it there).
      case clientZstd
    }

    /// The library a server-side or client-side zstd/lz4 compression needs, if any.
    var compressionLibrary: String? {
      switch self {
      case .tar(.serverZstd), .tar(.clientZstd): "zstd"
      case .tar(.serverLZ4): "lz4"
      default: nil
      }
    }

    /// `pg_basebackup`'s arguments for this format.
    var arguments: [String] {
      switch self {
      case .plain: ["--format=plain"]
      case .tar(.none): ["--format=tar"]
      case .tar(.clientGzip): ["--format=tar", "--compress=gzip"]
      case .tar(.serverGzip): ["--format=tar", "--compress=server-gzip"]
      case .tar(.serverZstd): ["--format=tar", "--compress=server-zstd"]
      case .tar(.serverLZ4): ["--format=tar", "--compress=server-lz4"]
      case .tar(.clientZstd): ["--format=tar", "--compress=zstd"]
      }
    }

    /// The names of the files this format leaves in the backup folder, besides
    /// `backup_manifest` (and, for plain, besides the data directory's own files).
    public func expectedFiles(wal: BackupWAL) -> [String] {
      switch self {
      case .plain: return ["backup_label"]
      case .tar(let compression):
        let base =
          switch compression {
          case .none: "base.tar"
          case .clientGzip, .serverGzip: "base.tar.gz"
          case .serverZstd, .clientZstd: "base.tar.zst"
          case .serverLZ4: "base.tar.lz4"
          }
        guard wal == .stream else { return [base] }
        let wal =
          switch compression {
          case .clientGzip: "pg_wal.tar.gz"
          default: "pg_wal.tar"
          }
        return [base, wal]
      }
    }

    /// `plain`, or `tar (<compression>)`.
    public var description: String {
      switch self {
      case .plain: "plain"
      case .tar(let compression): "tar (\(compression.rawValue))"
      }
    }
  }
}
