import Catalog
import PlanModel

/// The cluster a restore is of: the one the WAL archive's segments come from, which
/// `source.system_identifier` names when the plan gives it. A backup of another cluster is
/// never restored: its WAL is not the archive's.
struct RestoredCluster {
  /// Who says which cluster it is.
  enum Origin { case source, archive }

  var systemIdentifier: UInt64
  var origin: Origin

  /// `nil` when neither the plan nor the archive says (an archive without segments). When
  /// the plan and the archive disagree (an error of its own), the archive decides, so the
  /// other checks still see a backup and WAL that belong together.
  init?(plan: Plan, archive: WALArchive) {
    let source = plan.source?.systemIdentifier?.value
    if let source, archive.systemIdentifier == nil || archive.systemIdentifier == source {
      systemIdentifier = source
      origin = .source
    } else if let archived = archive.systemIdentifier {
      systemIdentifier = archived
      origin = .archive
    } else {
      return nil
    }
  }

  /// The cluster as messages name it.
  var described: String {
    switch origin {
    case .source: "the source's cluster (\(systemIdentifier), source.system_identifier)"
    case .archive: "the WAL archive's cluster (\(systemIdentifier))"
    }
  }

  /// Why `backup` is not of this cluster, or `nil` when it is (or its identifier is unknown).
  func mismatch(_ backup: BaseBackup) -> String? {
    guard let system = backup.systemIdentifier, system != systemIdentifier else { return nil }
    let whose =
      switch origin {
      case .source: "source.system_identifier"
      case .archive: "the WAL archive's"
      }
    return "comes from another cluster: system identifier \(system), while \(whose) is \(systemIdentifier)"
  }
}
