import ArgumentParser
import PlanLoading

/// `pitr schema`: the JSON Schema of the plan format, for editors and CI linters.
struct Schema: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Print the JSON Schema (draft 2020-12) of the plan format.",
    discussion: """
      The schema is generated from the same definition pitr validate checks plans against. \
      Point an editor at it (for example a '# yaml-language-server: $schema=plan.schema.json' \
      first line) to get completion and checks while writing a plan. pitr validate is still \
      the authority: it also checks what a schema cannot (zone names, path overlaps, \
      environment variables).

      --format markdown prints the key reference that docs/plan-format.md includes.
      """
  )

  enum Format: String, ExpressibleByArgument, CaseIterable {
    case json, markdown
  }

  @Option(help: "json (the JSON Schema) or markdown (the key reference table).")
  var format: Format = .json

  func run() async throws {
    switch format {
    case .json: Terminal.write(PlanSchema.text)
    case .markdown: Terminal.write(PlanReference.markdown)
    }
  }
}
