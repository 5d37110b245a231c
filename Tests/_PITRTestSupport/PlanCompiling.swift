import Catalog
import Compiler
import PlanLoading

/// Plan text loaded and compiled as `pitr plan` does, against the repositories the plan
/// names, without the catalog cache: the one way tests compile a plan.
public enum PlanCompiling {
  /// The compiler's whole answer (its diagnostics included) for plan text that loads, with
  /// the catalog of `base` and `wal` (by default the folders the plan names).
  ///
  /// - Throws: ``FixtureError`` with the loader's diagnostics when the plan does not load.
  public static func compilation(
    _ yaml: String, file: String, base: String? = nil, wal: [String]? = nil,
    environment: some CompilerEnvironment = FixedEnvironment(), switchedSourceSegment: String? = nil
  ) throws -> PlanCompiler.Compilation {
    let loaded = PlanLoader(environment: [:]).load(bytes: Array(yaml.utf8), file: file)
    guard let plan = loaded.plan else {
      throw FixtureError("the plan does not load: \(loaded.diagnostics.map(\.message))")
    }
    let catalog = Catalog.scan(
      base: base ?? plan.backups.base.value, wal: wal ?? plan.backups.wal.map(\.value), cache: .disabled)
    let index = WALIndex(archive: catalog.archive, cache: .disabled)
    return PlanCompiler(
      plan: plan, planText: yaml, catalog: catalog, index: index, environment: environment,
      switchedSourceSegment: switchedSourceSegment
    ).compile()
  }

  /// The compiled plan.
  ///
  /// - Throws: ``FixtureError`` with the diagnostics when the plan does not load or compile.
  public static func compile(
    _ yaml: String, file: String, environment: some CompilerEnvironment = FixedEnvironment()
  ) throws -> CompiledPlan {
    let compilation = try compilation(yaml, file: file, environment: environment)
    guard let compiled = compilation.compiled else {
      throw FixtureError("the plan does not compile: \(compilation.diagnostics.map(\.message))")
    }
    return compiled
  }
}
