import Catalog
import Compiler
import Foundation

/// `extract-base`: one pass over the whole backup (base, the WAL it carries, its
/// tablespaces), since `backup_manifest` can only be checked complete across all of its
/// archives; `extract-wal` and `extract-tablespace-*` then check that their part arrived
/// where the dry run said.
struct ExtractBase {
  let payload: StepAction.ExtractBase

  func run(_ step: Step, in context: StepContext) throws {
    guard let format = BaseBackup.Format(rawValue: payload.format) else {
      throw RunnerError("the compiled plan names an unknown backup format '\(payload.format)'")
    }
    let extractor = BackupExtractor(
      backupFolder: payload.backupFolder, format: format, dataDirectory: payload.dataDirectory,
      tablespaces: Dictionary(uniqueKeysWithValues: payload.tablespaces.map { ($0.oid, $0.location) }),
      owner: StepContext.owner(named: payload.owner))
    let rate = TransferRate()
    let observer = context.observer
    let report = try extractor.extract { progress in
      observer.progress(
        step, rate.describe(progress),
        measure: ProgressMeasure(
          done: UInt64(max(0, progress.bytesWritten)), total: UInt64(max(0, progress.totalBytes)), unit: .bytes))
    }
    observer.note(
      "extracted \(report.files) files (\(ByteCount.describe(report.bytes))), \(report.verifiedFiles) checked "
        + "against backup_manifest, \(report.walSegments.count) WAL segment\(report.walSegments.count == 1 ? "" : "s"); "
        + "the final flush to disk took \(String(format: "%.2f", report.flushSeconds)) s")
  }
}
