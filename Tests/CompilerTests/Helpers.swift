import Catalog
import Compiler
import PlanLoading
import PlanModel
import Testing
import _PITRTestSupport

/// Loads plan text (which must be valid) and compiles it against the repository.
func compile(
  _ yaml: String, base: String, wal: [String], environment: FixedEnvironment = FixedEnvironment(),
  file: String = "plans/test.yaml", sourceLocation: Testing.SourceLocation = #_sourceLocation
) -> PlanCompiler.Compilation? {
  let loaded = PlanLoader(environment: [:]).load(bytes: Array(yaml.utf8), file: file)
  guard let plan = loaded.plan else {
    Issue.record("the plan does not load: \(loaded.diagnostics.map(\.message))", sourceLocation: sourceLocation)
    return nil
  }
  let catalog = Catalog.scan(base: base, wal: wal, cache: .disabled)
  let index = WALIndex(archive: catalog.archive, cache: .disabled)
  return PlanCompiler(
    plan: plan, planText: yaml, catalog: catalog, index: index, environment: environment
  ).compile()
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
