import Execution
import Foundation
import PlanLoading
import Testing
import _PITRTestSupport

extension ApplyTests {
  /// What the executor refuses, and that it refuses it before PostgreSQL ever starts.
  @Suite struct Safety {
    @Test func aBaseBackupEntryEscapingTheDataDirectoryIsRefusedBeforeTheServerStarts() throws {
      // The lab's backup, with a first entry '../escaped' in base.tar.
      let restore = try Self.restoreOfCopiedBackup("escape") { tar in
        var writer = TarWriter([UInt8]())
        try writer.append(.file("../escaped"), data: Array("written outside\n".utf8))
        return writer.sink + tar
      }
      defer { restore.remove() }

      let error = try #require(throws: ExtractionError.self) { try restore.run() }

      #expect(error.kind == .unsafeEntry)
      #expect(error.description == "base.tar: entry '../escaped' would be written outside the data directory; refused")
      #expect(!FileManager.default.fileExists(atPath: restore.sandbox.file("escaped")))
      Self.expectNeverStarted(restore.sandbox)
    }

    @Test func aFileThatDoesNotMatchTheManifestIsNamedAndTheServerNeverStarts() throws {
      // pg_class of template1, one byte changed inside an uncompressed base.tar.
      let damaged = "base/1/1259"
      let restore = try Self.restoreOfCopiedBackup("damaged") { tar in
        var bytes = tar
        let range = try ApplyBackupCopy.dataRange(of: damaged, in: bytes)
        bytes[range.lowerBound + range.count / 2] ^= 0x5A
        return bytes
      }
      defer { restore.remove() }

      let error = try #require(throws: ExtractionError.self) { try restore.run() }

      #expect(error.kind == .damaged)
      #expect(error.path == damaged)
      #expect(
        error.description.hasPrefix("base.tar: \(damaged) does not match backup_manifest (checksum CRC32C: expected "),
        "\(error)")
      #expect(error.description.hasSuffix("the backup is damaged, nothing was started"), "\(error)")
      Self.expectNeverStarted(restore.sandbox)
    }

    @Test func aSettingValueWithALineBreakIsRefusedWhenThePlanIsLoaded() throws {
      let shared = try InventariosApplyLab.get()
      let sandbox = try shared.sandbox("newline")
      defer { sandbox.remove() }
      let yaml = shared.plan(
        "  name: test_pirt", into: sandbox,
        destination: "  settings:\n    work_mem: \"64MB\\nrestore_command = 'rm -rf /'\"")

      let loaded = PlanLoader(environment: [:]).load(bytes: Array(yaml.utf8), file: "plans/newline.yaml")

      #expect(loaded.plan == nil)
      let messages = loaded.diagnostics.map(\.message)
      #expect(
        messages == [
          "'destination.settings.work_mem' contains a line break; a setting value must be a single line "
            + "(it would otherwise add a line to postgresql.auto.conf)"
        ])
      #expect(loaded.diagnostics.first?.location?.line == 13)
      #expect(!FileManager.default.fileExists(atPath: sandbox.dataDirectory))
    }

    /// A restore to `test_pirt` of a copy of the lab's backup (in the sandbox) whose
    /// uncompressed base.tar `transform` changed.
    static func restoreOfCopiedBackup(
      _ name: String, transform: @escaping ([UInt8]) throws -> [UInt8]
    ) throws -> ApplyRestore {
      let shared = try InventariosApplyLab.get()
      return try ApplyRestore(sandbox: shared.sandbox(name)) { sandbox in
        try ApplyBackupCopy.copyTarBackup(
          shared.scenario.backupPath, to: sandbox.file("base/backup_db"), transform: transform)
        return ApplyHarness.planText(
          base: sandbox.file("base"), wal: shared.wal, target: "  name: test_pirt", sandbox: sandbox)
      }
    }

    /// Nothing of the server: no postmaster.pid, no log, no process; the journal says the
    /// extraction failed and the server step never ran.
    static func expectNeverStarted(
      _ sandbox: RestoreSandbox, sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) {
      #expect(
        !FileManager.default.fileExists(atPath: "\(sandbox.dataDirectory)/postmaster.pid"),
        sourceLocation: sourceLocation)
      #expect(
        !FileManager.default.fileExists(atPath: "\(sandbox.stateDirectory)/server.log"),
        sourceLocation: sourceLocation)
      #expect(PostgresLab.processes(mentioning: sandbox.dataDirectory).isEmpty, sourceLocation: sourceLocation)
      let journal = try? ApplyHarness.journal(in: sandbox)
      #expect(journal?.status(of: "extract-base") == .failed, sourceLocation: sourceLocation)
      #expect(journal?.status(of: "start-server") == .pending, sourceLocation: sourceLocation)
    }
  }
}
