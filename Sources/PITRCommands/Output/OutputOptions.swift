import ArgumentParser

/// Options every read-only command shares: JSON output and colour.
public struct OutputOptions: ParsableArguments {
  @Flag(name: .long, help: "Print machine-readable JSON on standard output instead of text.")
  public var json = false

  @Option(
    name: .long,
    help: ArgumentHelp(
      "When to colour diagnostics: auto (only on a terminal, unless NO_COLOR is set), always, never.",
      valueName: "when"))
  public var color: ColorMode = .auto

  public init() {}
}

/// When diagnostics are coloured.
public enum ColorMode: String, ExpressibleByArgument, CaseIterable, Sendable {
  case auto, always, never
}
