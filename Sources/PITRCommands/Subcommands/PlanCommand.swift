import ArgumentParser
import Catalog
import Compiler
import Execution
import Foundation

/// `pitr plan PLAN`: the dry run.
struct PlanCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "plan",
    abstract: "Show what applying a plan would do: the backup, the target, the prediction, every step.",
    discussion: """
      Compiles PLAN against its backup repository (as pitr validate does) and prints the \
      step graph with every command and every file's content, exactly as pitr apply would \
      run and write them. The text is the same for the same plan and repository, so a dry \
      run can be committed and reviewed.

      --format json prints the compiled plan, with a hash of the plan file and a fingerprint \
      of the backups and WAL it relies on: pitr apply COMPILED.json refuses it when either \
      changed. --format dot prints the graph for Graphviz (dot -Tsvg). --format svg draws the \
      repository with the chosen backup, the target and the predicted stop (see \
      docs/picture.md). --out writes to a file.

      Exit status: 0 when the plan can be applied, 2 when it cannot, 64 for a usage error.
      """
  )

  enum Format: String, ExpressibleByArgument, CaseIterable {
    case text, json, dot, svg
  }

  @Argument(help: "The plan file (YAML).")
  var plan: String

  @Option(
    help:
      "text (for people), json (the compiled plan, for pitr apply), dot (Graphviz), or svg (a picture of the repository, the target and the stop)."
  )
  var format: Format = .text

  @Option(help: ArgumentHelp("Write the output to this file instead of standard output.", valueName: "file"))
  var out: String?

  @Option(
    name: .customLong("advance-to"),
    help: ArgumentHelp(
      "Show what pitr advance PLAN --to TARGET would do to the paused restore (time=…, lsn=…, xid=…, name=…).",
      valueName: "kind=value"))
  var advanceTo: String?

  @Flag(name: .long, help: "Read every backup file again instead of using the catalog cache.")
  var noCache = false

  @OptionGroup var output: OutputOptions

  func validate() throws {
    if advanceTo != nil, format == .svg {
      throw ValidationError("--advance-to shows the advance's steps as text, json or dot, not svg")
    }
  }

  func run() async throws {
    let pipeline = PlanPipeline(output: output, useCache: !noCache)
    let (loaded, source) = try pipeline.load(plan)
    let compiled: CompiledPlan
    var catalog: Catalog?
    if let advanceTo {
      let destination = CompiledPlan.ResolvedDestination(plan: loaded, environment: SystemEnvironment())
      let backup = Journal.load(from: destination.stateDirectory)?.backup
      compiled = try pipeline.compileAdvance(loaded, source: source, file: plan, to: advanceTo, backup: backup)
    } else {
      (compiled, catalog) = try pipeline.compileReporting(loaded, source: source, file: plan)
    }
    let text: String
    switch format {
    case .text: text = PlanText.render(compiled, resolver: PlanPipeline.resolver(for: compiled))
    case .json: text = try CompiledPlanFile.encode(compiled)
    case .dot: text = PlanDOT.render(compiled)
    case .svg:
      guard let catalog else { throw PITRExitCode.invalidPlan }
      let cache = CatalogCache.forFolders(
        [loaded.backups.base.value] + loaded.backups.wal.map(\.value), enabled: !noCache)
      let points = ArchivedRestorePoints(archive: catalog.archive, cache: cache).points
      text = RepositorySVG.render(catalog, restorePoints: points, plan: compiled)
    }
    try OutputFile.write(text, to: out)
  }
}

/// The compiled plan as a file: JSON with sorted keys.
enum CompiledPlanFile {
  static func encode(_ plan: CompiledPlan) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(plan), as: UTF8.self) + "\n"
  }

  static func decode(_ data: Data) throws -> CompiledPlan {
    try JSONDecoder().decode(CompiledPlan.self, from: data)
  }

  /// Why a file did not decode, naming the key: Foundation's own description says only
  /// that "the data is missing" or "isn't in the correct format".
  static func describe(_ error: Error) -> String {
    func path(_ keys: [CodingKey]) -> String {
      keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        .trimmingCharacters(in: CharacterSet(charactersIn: "."))
    }
    switch error as? DecodingError {
    case .keyNotFound(let key, let context)?:
      return "it has no '\(path(context.codingPath + [key]))'"
    case .typeMismatch(_, let context)?, .valueNotFound(_, let context)?:
      return "'\(path(context.codingPath))': \(context.debugDescription)"
    case .dataCorrupted(let context)?:
      return context.codingPath.isEmpty
        ? "it is not JSON" : "'\(path(context.codingPath))': \(context.debugDescription)"
    default:
      return error.localizedDescription
    }
  }
}
