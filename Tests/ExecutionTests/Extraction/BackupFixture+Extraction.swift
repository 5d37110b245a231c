import Execution
import _PITRTestSupport

extension BackupFixture {
  /// Writes the backup in `layout` into `backup/` of a new temporary folder and extracts it
  /// into `data/` there.
  ///
  /// - Returns: The extraction's error (nil when it succeeded) and the folder, which the
  ///   caller removes.
  func extractionResult(
    _ layout: Layout
  ) throws -> (error: ExtractionError?, directory: TemporaryDirectory) {
    let directory = try TemporaryDirectory("extract")
    let backup = try write(layout, into: directory.file("backup"))
    do {
      _ = try BackupExtractor(
        backupFolder: backup, format: layout.format, dataDirectory: directory.file("data"),
        syncToDisk: false
      ).extract { _ in }
      return (nil, directory)
    } catch let error as ExtractionError {
      return (error, directory)
    }
  }
}
