import ArgumentParser
import Catalog
import Compiler
import Foundation
import PlanLoading
import PlanModel

/// `pitr catalog`: what is really in a backup repository.
struct CatalogCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "catalog",
    abstract: "List the base backups, WAL, timelines and restorable windows of a repository.",
    discussion: """
      Give the folders with --base and --wal (--wal may repeat), or a plan whose backups \
      section names them. Backups are found at any depth and read without extracting them; \
      the WAL archive is read at any depth, plain or gzip'd. Problems (corrupt files, gaps, \
      duplicates, history files that would break 'timeline: latest') are listed after the \
      tables; the rest is still catalogued.

      What was read is cached under $XDG_CACHE_HOME/pitr (or ~/.cache/pitr), keyed by each \
      file's path, size and modification time, so a second run rereads nothing; --no-cache \
      reads everything again. --json (or --format json) prints the catalog as JSON (see \
      docs/catalog-json.md); --format svg draws it: a lane per timeline, backups, WAL and its \
      gaps, restore points and restorable windows (see docs/picture.md). --out writes to a file.

      Exit status: 0 when the repository was catalogued (even with problems), 2 when PLAN \
      is invalid, 64 when an argument is wrong or a folder does not exist.
      """
  )

  @Argument(help: "A plan file whose 'backups' section names the folders.")
  var plan: String?

  @Option(name: .long, help: ArgumentHelp("The base backup folder.", valueName: "dir"))
  var base: String?

  @Option(
    name: .long,
    help: ArgumentHelp("A WAL archive folder (repeat for several).", valueName: "dir"))
  var wal: [String] = []

  @Flag(name: .long, help: "Read every file again instead of using the cache.")
  var noCache = false

  enum Format: String, ExpressibleByArgument, CaseIterable {
    case text, json, svg
  }

  @Option(help: "text (tables for people), json (as --json), or svg (a picture of the repository).")
  var format: Format?

  @Option(help: ArgumentHelp("Write the output to this file instead of standard output.", valueName: "file"))
  var out: String?

  @OptionGroup var output: OutputOptions

  func validate() throws {
    if plan != nil, base != nil || !wal.isEmpty {
      throw ValidationError("give either a plan or --base and --wal, not both")
    }
    if plan == nil, base == nil || wal.isEmpty {
      throw ValidationError("give a plan, or both --base and --wal")
    }
    if output.json, let format, format != .json {
      throw ValidationError("--json and --format \(format.rawValue) ask for two outputs: give one")
    }
  }

  func run() async throws {
    let (base, wal) = try folders()
    try Folders.requireExisting([base] + wal)
    let cache = CatalogCache.forFolders([base] + wal, enabled: !noCache)
    let catalog = Catalog.scan(base: base, wal: wal, cache: cache)
    switch format ?? (output.json ? .json : .text) {
    case .json:
      try OutputFile.write(try CatalogJSON.encode(catalog), to: out)
    case .svg:
      let points = ArchivedRestorePoints(archive: catalog.archive, cache: cache).points
      try OutputFile.write(RepositorySVG.render(catalog, restorePoints: points), to: out)
      printDiagnostics(catalog)
    case .text:
      try OutputFile.write(CatalogReport.render(catalog), to: out)
      printDiagnostics(catalog)
    }
  }

  /// The catalog's problems, on standard error after the tables or the picture.
  private func printDiagnostics(_ catalog: Catalog) {
    guard !catalog.diagnostics.isEmpty else { return }
    let printer = DiagnosticPrinter(useColor: Terminal.usesColor(output.color))
    Terminal.writeError("\n" + printer.render(catalog.diagnostics, source: nil))
  }

  /// The folders to scan: from the options, or from the plan.
  private func folders() throws -> (String, [String]) {
    guard let plan else { return (absolute(base ?? "."), wal.map(absolute)) }
    let result: PlanLoader.Result
    do {
      result = try PlanLoader().load(contentsOf: plan)
    } catch let error as PlanLoader.FileError {
      Terminal.writeError("pitr: error: \(error.description)\n")
      throw PITRExitCode.usage
    }
    guard let loaded = result.plan else {
      let printer = DiagnosticPrinter(useColor: Terminal.usesColor(output.color))
      Terminal.writeError(printer.render(result.diagnostics, source: result.source))
      throw PITRExitCode.invalidPlan
    }
    var remote = PlanCompiler.unreadableLocations(loaded.backups)
    if remote.isEmpty { remote = RunStores.prepare(RunStores.locations(of: loaded.backups), s3: loaded.backups.s3) }
    if !remote.isEmpty {
      let printer = DiagnosticPrinter(useColor: Terminal.usesColor(output.color))
      Terminal.writeError(printer.render(remote, source: result.source))
      throw PITRExitCode.invalidPlan
    }
    return (loaded.backups.base.value, loaded.backups.wal.map(\.value))
  }

  private func absolute(_ path: String) -> String {
    let full = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    return URL(fileURLWithPath: full).standardizedFileURL.path
  }
}

/// The catalog as `--json` prints it: sorted keys, ISO 8601 dates.
enum CatalogJSON {
  static func encode(_ catalog: Catalog) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    encoder.dateEncodingStrategy = .iso8601
    return String(decoding: try encoder.encode(catalog), as: UTF8.self) + "\n"
  }
}
