import Catalog
import Compiler
import Foundation

/// The extraction steps. `extract-base` makes one pass over the whole backup (base, the WAL
/// it carries, its tablespaces), since `backup_manifest` can only be checked complete across
/// all of its archives; `extract-wal` and `extract-tablespace-*` then check that their part
/// arrived where the dry run said.
struct StepExtraction {
  let plan: CompiledPlan
  let owner: FileOwner?

  func run(_ step: Step, observer: RunObserver) throws {
    switch step.kind {
    case .extractBase: try extractAll(step, observer: observer)
    case .extractWAL: try checkWALArrived()
    case .extractTablespace: try checkTablespacesArrived(step)
    default: break
    }
  }

  private func extractAll(_ step: Step, observer: RunObserver) throws {
    guard let format = BaseBackup.Format(rawValue: plan.backup.format) else {
      throw RunnerError("the compiled plan names an unknown backup format '\(plan.backup.format)'")
    }
    let extractor = BackupExtractor(
      backupFolder: plan.backup.path, format: format, dataDirectory: plan.destination.dataDirectory,
      tablespaces: Dictionary(uniqueKeysWithValues: plan.destination.tablespaces.map { ($0.oid, $0.location) }),
      owner: owner)
    let rate = TransferRate()
    let report = try extractor.extract { progress in
      observer.progress(
        step, rate.describe(progress),
        measure: ProgressMeasure(
          done: UInt64(max(0, progress.bytesWritten)), total: UInt64(max(0, progress.totalBytes)), unit: .bytes))
    }
    observer.note(
      "extracted \(report.files) files (\(ByteCount.describe(report.bytes))), \(report.verifiedFiles) checked "
        + "against backup_manifest, \(report.walSegments.count) WAL segment\(report.walSegments.count == 1 ? "" : "s")")
  }

  private func checkWALArrived() throws {
    let folder = "\(plan.destination.dataDirectory)/pg_wal"
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
    guard names.contains(where: { $0.count == 24 && $0.allSatisfy(\.isHexDigit) }) else {
      throw RunnerError("\(folder) holds no WAL segment after extraction; the backup's WAL archive is missing or empty")
    }
  }

  /// A plain backup's `pg_tblspc/<oid>` link points at the new location; a tar backup has no
  /// such link (PostgreSQL makes it from `tablespace_map` when it starts), so there the
  /// rewritten `tablespace_map` must name the new location.
  private func checkTablespacesArrived(_ step: Step) throws {
    let data = plan.destination.dataDirectory
    for tablespace in plan.destination.tablespaces where step.id == "extract-tablespace-\(tablespace.oid)" {
      let link = "\(data)/pg_tblspc/\(tablespace.oid)"
      let points = try? FileManager.default.destinationOfSymbolicLink(atPath: link)
      if points == tablespace.location { continue }
      if let points {
        throw RunnerError("\(link) points to \(points), not \(tablespace.location), after extraction")
      }
      let mapText = (try? String(contentsOfFile: "\(data)/tablespace_map", encoding: .utf8)) ?? ""
      let mapped = (try? TablespaceMap(parsing: mapText))?.entries.first { $0.oid == tablespace.oid }?.path
      guard mapped == tablespace.location else {
        throw RunnerError(
          "\(link) is no link and \(data)/tablespace_map maps tablespace \(tablespace.oid) to "
            + "\(mapped ?? "nothing"), not \(tablespace.location), after extraction")
      }
    }
  }
}
