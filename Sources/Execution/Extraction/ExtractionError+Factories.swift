import Archives
import Catalog

/// The sentences of ``ExtractionError``, one factory per problem.
extension ExtractionError {
  // MARK: - Damaged backups

  /// A file whose size or checksum differs from the manifest's.
  static func mismatch(_ path: String, _ detail: String) -> ExtractionError {
    ExtractionError(
      .damaged,
      "\(path) does not match backup_manifest (\(detail)); the backup is damaged, nothing was "
        + "started", path: path)
  }

  /// A file whose size differs from the manifest's.
  static func sizeMismatch(_ path: String, expected: UInt64, found: Int64) -> ExtractionError {
    mismatch(path, "size: expected \(expected) bytes, found \(found)")
  }

  /// A file whose checksum differs from the manifest's.
  static func checksumMismatch(
    _ path: String, expected: BackupManifest.Checksum, computed: BackupManifest.Checksum
  ) -> ExtractionError {
    mismatch(
      path,
      "checksum \(expected.algorithm.rawValue): expected \(expected.hex), computed "
        + computed.hex)
  }

  /// A file of the backup the manifest does not list.
  static func notInManifest(_ path: String) -> ExtractionError {
    ExtractionError(
      .damaged,
      "\(path) is not in backup_manifest; the backup does not match its manifest, nothing was "
        + "started", path: path)
  }

  /// Files the manifest lists that the backup does not hold (`paths` sorted, not empty).
  static func missingFiles(_ paths: [String]) -> ExtractionError {
    let shown = paths.prefix(3).joined(separator: ", ")
    let more = paths.count > 3 ? " (and \(paths.count - 3) more)" : ""
    let files = paths.count == 1 ? "a file" : "\(paths.count) files"
    return ExtractionError(
      .damaged,
      "backup_manifest lists \(files) the backup does not contain: \(shown)\(more); the backup "
        + "is damaged, nothing was started", path: paths.first)
  }

  // MARK: - Unsafe entries

  /// An entry whose path is absolute or has a `..` component.
  static func escapes(_ entry: String, _ destination: String) -> ExtractionError {
    ExtractionError(
      .unsafeEntry, "entry '\(entry)' would be written outside \(destination); refused")
  }

  /// A symbolic or hard link whose target is outside the destination.
  static func linkEscapes(
    _ kind: String, _ entry: String, target: String, _ destination: String
  ) -> ExtractionError {
    ExtractionError(
      .unsafeEntry, "\(kind) '\(entry)' -> '\(target)' points outside \(destination); refused")
  }

  /// A symbolic link anywhere but `pg_tblspc/<oid>` (or a plain backup's `pg_wal`).
  static func symbolicLinkNotAllowed(_ entry: String, target: String) -> ExtractionError {
    ExtractionError(
      .unsafeEntry,
      "symbolic link '\(entry)' -> '\(target)': only pg_tblspc/<oid> may be a symbolic link "
        + "in a data directory; refused")
  }

  /// A hard link to something that is not an earlier regular file of the archive.
  static func hardLinkTargetMissing(_ entry: String, target: String) -> ExtractionError {
    ExtractionError(
      .unsafeEntry,
      "hard link '\(entry)' -> '\(target)' does not point to an earlier file of the archive; "
        + "refused")
  }

  /// An entry below an already extracted symbolic link.
  static func throughLink(_ entry: String, link: String) -> ExtractionError {
    ExtractionError(
      .unsafeEntry,
      "entry '\(entry)' would be written through the symbolic link '\(link)'; refused")
  }

  /// An entry below something that is not a directory.
  static func notADirectory(_ entry: String, _ parent: String) -> ExtractionError {
    ExtractionError(
      .unsafeEntry, "entry '\(entry)' needs '\(parent)' to be a directory, which it is not; refused"
    )
  }

  /// An entry whose path was already written.
  static func alreadyExtracted(_ entry: String) -> ExtractionError {
    ExtractionError(
      .unsafeEntry,
      "entry '\(entry)' would overwrite a file extracted before it (the path appears twice); "
        + "refused")
  }

  /// A device, FIFO, socket or other entry a backup never holds.
  static func unsupportedEntry(_ entry: String, _ what: String) -> ExtractionError {
    ExtractionError(
      .unsafeEntry,
      "entry '\(entry)' is \(what), not a regular file, directory or link; refused")
  }

  // MARK: - Destinations and tablespaces

  /// A data directory or tablespace location that has files in it.
  static func notEmpty(_ path: String, _ what: String) -> ExtractionError {
    ExtractionError(
      .destination,
      "\(what) \(path) is not empty; pitr extracts only into an absent or empty directory")
  }

  /// A tablespace of the backup without a new location.
  static func unmappedTablespace(_ oid: UInt32) -> ExtractionError {
    ExtractionError(
      .tablespace,
      "tablespace \(oid) of the backup has no new location; give it one in the plan's "
        + "destination.tablespaces")
  }

  /// A new location for a tablespace the backup does not have.
  static func unknownTablespace(_ oid: UInt32) -> ExtractionError {
    ExtractionError(
      .tablespace, "a new location is given for tablespace \(oid), which the backup does not have")
  }

  // MARK: - Archives and system calls

  /// An archive that could not be read.
  static func archive(_ error: ArchiveError) -> ExtractionError {
    ExtractionError(.archive, error.description)
  }

  /// A system call that failed on `path`, with the system's reason for `code`.
  static func io(_ action: String, _ path: String, code: Int32) -> ExtractionError {
    ExtractionError(.io, "cannot \(action) \(path): \(FileSystemCalls.message(for: code))")
  }
}
