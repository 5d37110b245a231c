import Execution
import Foundation
import Testing
import _PITRTestSupport

/// The executor end to end on real PostgreSQL 15: plans compiled against the seed 001 lab
/// (`inventarios`: ten rows, a base backup, the insert of `Ultimo_Registro`, restore point
/// `test_pirt`, the accidental `DELETE`) and run by `RestoreRunner` or `pitr apply`, each
/// restore into a fresh sandbox on its own port, checked with SQL on the restored server.
///
/// The lab is built once for all the suites nested here (``InventariosApplyLab/scope``) and
/// removed when they end; each test stops its server and removes its sandbox in a `defer`.
@Suite(.tags(.integration), .enabled(if: PostgresLab.isAvailable), InventariosApplyLab.scope)
struct ApplyTests {}

/// Seed 001's lab, shared by the suites under ``ApplyTests``: a primary archiving WAL gzip'd
/// into day folders (`YYYY-MM-DD/`, `.gzipDated`), a `-Ft -Z server-gzip -Xs` base backup in
/// `backups/backup_db`, and the scenario's measurements.
final class InventariosApplyLab: @unchecked Sendable {
  let lab: PostgresLab
  let scenario: InventariosScenario

  /// The lab of the suite being run.
  @TaskLocal static var current: InventariosApplyLab?

  /// Builds the lab and runs the scenario; the primary is stopped afterwards, so the archive
  /// no longer changes and only restored servers use the machine.
  ///
  /// The archive's layout and the backup's compression may differ from seed 001's, to run
  /// its targets over a zstd or lz4 repository.
  init(
    name: String = "apply", archive: PostgresLab.ArchiveLayout = .gzipDated,
    backupFormat: PostgresLab.BackupFormat = .tar(compression: .serverGzip)
  ) throws {
    lab = try PostgresLab(name: name, archive: archive)
    do {
      scenario = try InventariosScenario.run(in: lab, backupFormat: backupFormat)
      try lab.stop()
    } catch {
      lab.remove()
      throw error
    }
  }

  /// The lab of the suite being run, or an error when a test runs outside ``scope``.
  static func get() throws -> InventariosApplyLab {
    guard let current else { throw FixtureError("no inventarios lab: run the test inside ApplyTests") }
    return current
  }

  var base: String { lab.backupsDirectory }
  var wal: String { lab.archiveDirectory }

  /// A new sandbox in the lab's folder (outside its backups and archive).
  func sandbox(_ name: String) throws -> RestoreSandbox {
    try RestoreSandbox(in: lab.directory.path, name: name)
  }

  /// A restore of the plan to `target` over the lab's repository into a new sandbox.
  func restore(
    _ name: String, _ target: String, action: String = "promote", destination: String = "", tail: String = ""
  ) throws -> ApplyRestore {
    try ApplyRestore(sandbox: sandbox(name)) { sandbox in
      plan(target, into: sandbox, action: action, destination: destination, tail: tail)
    }
  }

  /// A plan over the lab's repository restoring into `sandbox`.
  func plan(
    _ target: String, into sandbox: RestoreSandbox, action: String = "promote", destination: String = "",
    tail: String = ""
  ) -> String {
    ApplyHarness.planText(
      base: base, wal: wal, target: target, sandbox: sandbox, action: action,
      destination: destination, tail: tail)
  }

  /// The suite trait that builds the lab before the suite's tests and removes it after.
  static let scope = Scope()

  struct Scope: SuiteTrait, TestScoping {
    var isRecursive: Bool { false }

    func provideScope(
      for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
      let shared = try InventariosApplyLab()
      defer { shared.lab.remove() }
      try await InventariosApplyLab.$current.withValue(shared) { try await function() }
    }
  }
}
