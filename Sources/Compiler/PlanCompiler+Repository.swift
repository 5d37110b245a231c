import Catalog
import PlanModel

extension PlanCompiler {
  /// A plan compiled against its repository, and the catalog it was compiled against (`nil`
  /// when one of the plan's folders is missing: nothing was catalogued).
  public struct Outcome: Sendable {
    public var compilation: Compilation
    public var catalog: Catalog?

    public init(compilation: Compilation, catalog: Catalog?) {
      self.compilation = compilation
      self.catalog = catalog
    }
  }

  /// Compiles a loaded plan against the backups and WAL it names, as `validate`, `plan` and
  /// `apply` do: checks that its folders are folders on this machine (each problem at its
  /// plan key), catalogues them (through the user's catalog cache, or none when `useCache` is
  /// false; the cache is saved afterwards), then compiles. The catalog's own problems come
  /// first, as warnings: problems in files the restore does not use do not block it.
  /// `switchedSourceSegment` is the segment the source WAL switch before compiling archived.
  public static func compile(
    _ plan: Plan, planText: String, environment: any CompilerEnvironment, useCache: Bool,
    switchedSourceSegment: String? = nil, advancing: Bool = false
  ) -> Outcome {
    let missing = folderProblems(plan, environment: environment)
    if !missing.isEmpty {
      return Outcome(compilation: Compilation(diagnostics: missing, compiled: nil), catalog: nil)
    }
    let folders = [plan.backups.base.value] + plan.backups.wal.map(\.value)
    let cache = CatalogCache.forFolders(folders, enabled: useCache)
    let (catalog, index) = Catalog.scanIndexed(
      base: plan.backups.base.value, wal: plan.backups.wal.map(\.value), cache: cache)
    var compilation = PlanCompiler(
      plan: plan, planText: planText, catalog: catalog, index: index, environment: environment,
      switchedSourceSegment: switchedSourceSegment, advancing: advancing
    ).compile()
    cache.save()
    compilation.diagnostics = demoted(catalog.diagnostics) + compilation.diagnostics
    return Outcome(compilation: compilation, catalog: catalog)
  }

  /// An error at each of `backups.base` and `backups.wal` that is not a folder here; an S3 or
  /// SSH location is refused first, as this build cannot read one yet.
  static func folderProblems(_ plan: Plan, environment: any CompilerEnvironment) -> [Diagnostic] {
    let remote = unreadableLocations(plan.backups)
    if !remote.isEmpty { return remote }
    return ([plan.backups.baseLocation] + plan.backups.walLocations).compactMap { location in
      // A remote location is listed through its store by the catalog, which reports it.
      guard case .local = location.value else { return nil }
      let folder = location.map(\.description)
      return environment.isFolder(folder.value)
        ? nil : .error("'\(folder.value)' is not a folder on this machine", at: folder.location)
    }
  }

  /// An error at each of the plan's locations this build cannot read: none any more (folders on
  /// this machine, S3 buckets and SSH hosts are all read through their stores); kept as the
  /// one place a future kind of location would be refused.
  public static func unreadableLocations(_ backups: Backups) -> [Diagnostic] {
    var keyed: [(key: String, location: Located<RepositoryLocation>)] = [
      ("backups.base", backups.baseLocation)
    ]
    for (index, wal) in backups.walLocations.enumerated() {
      keyed.append((backups.walLocations.count == 1 ? "backups.wal" : "backups.wal[\(index)]", wal))
    }
    return keyed.compactMap { key, location in
      switch location.value {
      case .local:
        return nil
      case .s3, .ssh:
        _ = key
        return nil
      }
    }
  }

  /// The catalog's problems with every error made a warning: problems in files the restore
  /// does not use do not block it.
  static func demoted(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
    diagnostics.map { diagnostic in
      var demoted = diagnostic
      if demoted.severity == .error { demoted.severity = .warning }
      return demoted
    }
  }
}
