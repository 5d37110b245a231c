import Foundation
import _PITRTestSupport

/// A plan over a lab's backups and archive, restoring into the lab's `restore/` as
/// `postgres` with `action: promote`; its first target line is line 6.
///
/// - Parameter target: The lines of the `target` section, each indented by two spaces.
func labPlan(_ lab: PostgresLab, target: String) -> String {
  labPlan(
    base: lab.backupsDirectory, wal: lab.archiveDirectory, restore: lab.directory.file("restore"),
    target: target)
}

/// The same plan over any backups, archive and restore folder.
func labPlan(base: String, wal: String, restore: String, target: String) -> String {
  """
  version: 1
  backups:
    base: \(base)
    wal: \(wal)
  target:
  \(target)
  destination:
    data_directory: \(restore)
    port: 5599
    os_user: postgres
  action: promote

  """
}

/// ``labPlan(_:target:)`` written to the lab's `plan.yaml`; returns its path.
func writeLabPlan(_ lab: PostgresLab, target: String) throws -> String {
  try lab.directory.write(labPlan(lab, target: target), to: "plan.yaml")
}
