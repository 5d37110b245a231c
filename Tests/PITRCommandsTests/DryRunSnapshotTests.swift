import Catalog
import Compiler
import Foundation
import PlanLoading
import PlanModel
import Testing
import _PITRTestSupport

@testable import PITRCommands

/// Golden files of `pitr plan` (text, JSON and DOT) for every example plan in `plans/` and
/// for the seed plans the command tests write (``labPlan(base:wal:restore:target:)``), each
/// compiled against a ``NotebookRepository`` on a fixed machine (``FixedEnvironment``, as
/// root, as the plans' `os_user` comments say). Re-record with
/// `PITR_RECORD_SNAPSHOTS=1 swift test --filter PITRCommandsTests.DryRunSnapshotTests`.
@Suite struct DryRunSnapshotTests {
  enum Format: String, CaseIterable, Sendable {
    case text, json, dot

    /// The golden file's extension.
    var fileExtension: String { self == .text ? "txt" : rawValue }
  }

  /// The example plans, each with the lab its notebook made.
  static let examples: [String] = [
    "inventarios-by-restore-point", "inventarios-by-time", "inventarios-by-xid",
    "laboratorio-restore-point",
  ]

  /// The seed plans of the command tests, by the target section they are written with.
  static let seedTargets: [String: String] = [
    "seed-lsn": "  lsn: 0/300000\n  inclusive: false",
    "seed-immediate": "  immediate: true",
    "seed-latest": "  latest: true",
  ]

  @Test func everyExamplePlanHasSnapshots() {
    let names = RepositoryPaths.examplePlans.map {
      URL(fileURLWithPath: $0).deletingPathExtension().lastPathComponent
    }
    #expect(names == Self.examples, "add the new example plan to DryRunSnapshotTests.examples")
  }

  @Test(arguments: examples, Format.allCases)
  func examplePlan(_ name: String, format: Format) throws {
    let repository = try NotebookRepository(name.hasPrefix("laboratorio") ? .laboratorio : .inventarios)
    defer { repository.remove() }
    let text = try String(contentsOfFile: "\(RepositoryPaths.root)/plans/\(name).yaml", encoding: .utf8)
    let first = try dryRun(text, file: "plans/\(name).yaml", repository: repository, format: format)
    let second = try dryRun(text, file: "plans/\(name).yaml", repository: repository, format: format)
    #expect(first == second)
    expectSnapshot(
      first, named: "\(name)", extension: format.fileExtension,
      normalization: .pitrOutput(folder: repository.directory))
  }

  @Test(arguments: seedTargets.keys.sorted(), Format.allCases)
  func seedPlan(_ name: String, format: Format) throws {
    let repository = try NotebookRepository(.inventarios)
    defer { repository.remove() }
    // Paths through PITR_LAB, as the example plans do, so the plan's text (and its hash)
    // does not name the temporary folder.
    let text = labPlan(
      base: "${PITR_LAB}/backup_db", wal: "${PITR_LAB}/backup_wal", restore: "${PITR_LAB}/restore",
      target: Self.seedTargets[name]!)
    let output = try dryRun(text, file: "plan.yaml", repository: repository, format: format)
    expectSnapshot(
      output, named: name, extension: format.fileExtension,
      normalization: .pitrOutput(folder: repository.directory))
  }

  /// The normalisation hides the temporary folder and the catalog's fingerprint, nothing else.
  @Test func normalisationReplacesOnlyTheMachinesParts() throws {
    let repository = try NotebookRepository(.inventarios)
    defer { repository.remove() }
    let text = try String(contentsOfFile: "\(RepositoryPaths.root)/plans/inventarios-by-xid.yaml", encoding: .utf8)
    let json = try dryRun(text, file: "plans/inventarios-by-xid.yaml", repository: repository, format: .json)
    let normalized = SnapshotNormalization.pitrOutput(folder: repository.directory).apply(to: json)
    #expect(json.contains(repository.directory))
    #expect(!normalized.contains(repository.directory))
    #expect(normalized.contains("\"catalogFingerprint\" : \"<machine-dependent>\""))
    #expect(normalized.contains("\"planHash\" : \"\(PlanCompiler.planHash(of: text))\""))
  }

  /// Compiles plan text against the repository, as `pitr plan` does, on a fixed machine, and
  /// renders it in the format.
  private func dryRun(
    _ text: String, file: String, repository: NotebookRepository, format: Format
  ) throws -> String {
    let loaded = PlanLoader(environment: repository.environment).load(bytes: Array(text.utf8), file: file)
    let plan = try #require(loaded.plan, "\(loaded.diagnostics.map(\.message))")
    let folders = [plan.backups.base.value] + plan.backups.wal.map(\.value)
    let (catalog, index) = Catalog.scanIndexed(
      base: folders[0], wal: Array(folders.dropFirst()), cache: .disabled)
    var machine = FixedEnvironment()
    machine.isRoot = true
    let compilation = PlanCompiler(
      plan: plan, planText: text, catalog: catalog, index: index, environment: machine
    ).compile()
    let compiled = try #require(compilation.compiled, "\(compilation.diagnostics.map(\.message))")
    switch format {
    case .text:
      let resolver = StepResolver(
        pitrExecutable: machine.pitrExecutable, binDirectory: compiled.destination.binDirectory,
        serverUser: compiled.destination.osUser)
      return PlanText.render(compiled, resolver: resolver)
    case .json: return try CompiledPlanFile.encode(compiled)
    case .dot: return PlanDOT.render(compiled)
    }
  }
}
