import Catalog
import Compiler
import Foundation
import PlanLoading
import PlanModel
import Testing
import _PITRTestSupport

@testable import Execution

/// `destination.archiving`: `off` (the default) writes `archive_mode = 'off'` into the pitr
/// block of postgresql.auto.conf, so the restored clone never archives into the source's
/// archive; `keep` writes no archive_mode at all, leaving the backup's own setting.
@Suite struct ArchivingSettingTests {
  /// A synthetic repository: backup `b1` (starting at 0/200028, 1 MiB segments) and WAL with a
  /// commit and the restore point `before_delete` after it is consistent.
  final class Repository {
    let fixture: RepositoryFixture

    init() throws {
      fixture = try RepositoryFixture()
      do {
        try fixture.writeBeforeDeleteScenario()
      } catch {
        fixture.remove()
        throw error
      }
    }

    deinit { fixture.remove() }

    /// Compiles a plan to `before_delete` with `destination` lines added (indented two spaces).
    func compile(destination: String = "") throws -> CompiledPlan {
      let yaml = """
        version: 1
        name: archiving
        backups:
          base: \(fixture.base)
          wal: \(fixture.wal)
        target:
          name: before_delete
        destination:
          data_directory: /srv/pg/restore
          port: 5599
          os_user: postgres
        \(destination)
        action: promote

        """
      return try PlanCompiling.compile(yaml, file: "plans/archiving.yaml")
    }
  }

  /// The pitr block of the postgresql.auto.conf the write-recovery-config step writes, and
  /// where (the file is the backup's own text, then the block).
  private func writtenBlock(_ plan: CompiledPlan) throws -> FileContent {
    let step = try #require(plan.graph.steps.first { $0.kind == .writeRecoveryConfig })
    var file = try #require(step.files.first { $0.path.hasSuffix("/postgresql.auto.conf") })
    let start = try #require(file.content.range(of: RecoveryConfiguration.beginMarker))
    file.content = String(file.content[start.lowerBound...])
    return file
  }

  private static let archiveModeOff =
    "archive_mode = 'off'  # the restored clone must not write into the source's archive\n"

  @Test func byDefaultTheBlockTurnsArchivingOff() throws {
    let repository = try Repository()
    let plan = try repository.compile()

    let file = try writtenBlock(plan)

    #expect(plan.configuration.value(of: "archive_mode") == "off")
    #expect(file.path == "/srv/pg/restore/postgresql.auto.conf")
    #expect(file.content.contains("\n" + Self.archiveModeOff), "\(file.content)")
    #expect(file.content.hasPrefix(RecoveryConfiguration.beginMarker + "\n"))
    #expect(file.content.hasSuffix(RecoveryConfiguration.endMarker + "\n"))
    // Saying `off` is the same plan as saying nothing.
    let explicit = try repository.compile(destination: "  archiving: off")
    #expect(try writtenBlock(explicit).content == file.content)
  }

  @Test func keepWritesNoArchiveModeAtAll() throws {
    let repository = try Repository()
    let keep = try repository.compile(destination: "  archiving: keep")
    let off = try repository.compile()

    let file = try writtenBlock(keep)

    #expect(keep.configuration.value(of: "archive_mode") == nil)
    #expect(!file.content.contains("archive_mode"), "\(file.content)")
    #expect(file.path == "/srv/pg/restore/postgresql.auto.conf")
    // Nothing else changes: the block is the default one without that line.
    #expect(file.content == (try writtenBlock(off).content).replacingOccurrences(of: Self.archiveModeOff, with: ""))
  }

  /// A restore run again over a directory written with `off` replaces that block: `keep`
  /// must not inherit the earlier `archive_mode = 'off'`.
  @Test func anEarlierBlockIsReplacedNotKept() throws {
    let repository = try Repository()
    let earlier = try writtenBlock(try repository.compile()).content
    let keep = try writtenBlock(try repository.compile(destination: "  archiving: keep")).content
    let existing = "# the backup's own settings\nwork_mem = '8MB'\n" + earlier + "shared_buffers = '256MB'\n"

    let cleaned = RecoveryConfiguration.removingBlock(existing)

    #expect(cleaned == "# the backup's own settings\nwork_mem = '8MB'\nshared_buffers = '256MB'\n")
    #expect(!(cleaned + keep).contains("archive_mode"))
  }
}
