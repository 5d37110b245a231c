import Catalog
import Compiler
import PlanLoading
import PlanModel
import Testing
import _PITRTestSupport

/// Loads plan text (which must be valid) and compiles it against the repository.
func compile(
  _ yaml: String, base: String, wal: [String], environment: FixedEnvironment = FixedEnvironment(),
  file: String = "plans/test.yaml", switchedSourceSegment: String? = nil,
  sourceLocation: Testing.SourceLocation = #_sourceLocation
) -> PlanCompiler.Compilation? {
  do {
    return try PlanCompiling.compilation(
      yaml, file: file, base: base, wal: wal, environment: environment,
      switchedSourceSegment: switchedSourceSegment)
  } catch {
    Issue.record("\(error)", sourceLocation: sourceLocation)
    return nil
  }
}

/// A plan over a repository, with the target section given.
func planText(base: String, wal: String, target: String, action: String = "promote", extra: String = "") -> String {
  """
  version: 1
  backups:
    base: \(base)
    wal: \(wal)
  target:
  \(target)
  destination:
    data_directory: /srv/restore-test
    port: 5599
    os_user: postgres
  action: \(action)
  \(extra)
  """
}

/// A plan over a synthetic repository, with markers: 8️⃣ at `backups.base`, 9️⃣ at the WAL
/// folder, and any the parts carry. `target` lines are indented by two spaces; `source` is
/// a whole `source:` section, or empty.
func markedPlan(
  _ repository: SyntheticRepository, select: String = "auto", target: String, source: String = "",
  destination: String = "  data_directory: /srv/restore-test\n  port: 5599\n  os_user: postgres"
) -> MarkedText {
  MarkedText(
    """
    version: 1
    \(source)backups:
      base: 8️⃣\(repository.base)
      wal: 9️⃣\(repository.wal)
      select: \(select)
    target:
    \(target)
    destination:
    \(destination)
    action: promote

    """)
}

extension MarkedText {
  /// Where a marker is in the plan file the helpers compile (`plans/test.yaml`).
  func at(_ marker: String) -> PlanModel.SourceLocation? { location(marker, file: "plans/test.yaml") }

  /// Compiles this plan against the repository.
  func compiled(
    _ repository: SyntheticRepository, environment: FixedEnvironment = FixedEnvironment(),
    switchedSourceSegment: String? = nil, sourceLocation: Testing.SourceLocation = #_sourceLocation
  ) -> PlanCompiler.Compilation? {
    compile(
      text, base: repository.base, wal: [repository.wal], environment: environment,
      switchedSourceSegment: switchedSourceSegment, sourceLocation: sourceLocation)
  }
}

extension PlanCompiler.Compilation {
  var errors: [Diagnostic] { diagnostics.filter { $0.severity == .error } }
}
