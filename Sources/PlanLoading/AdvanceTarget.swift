import PlanModel

/// `pitr advance PLAN --to TARGET`: the new target, written `KIND=VALUE` (`time=…`, `lsn=…`,
/// `xid=…`, `name=…`), checked by the same rules and with the same messages as a plan's
/// `target:` section. The plan's `inclusive` (for time, lsn, xid) and `timeline` are kept.
public enum AdvanceTarget {
  /// The kinds `--to` accepts: a later point (immediate goes nowhere, latest ends recovery).
  public static let kinds = ["time", "lsn", "xid", "name"]

  /// The new target, or the problems with `argument`, located in a file named `--to`.
  public static func parse(
    _ argument: String, keeping target: RecoveryTarget, option: String = "--to"
  ) -> (target: RecoveryTarget?, diagnostics: [Diagnostic]) {
    let whole = SourceLocation(file: option, line: 0, column: 0)
    guard let equals = argument.firstIndex(of: "="), !argument[..<equals].isEmpty else {
      return (
        nil,
        [
          .error(
            "'\(argument)' is not a target: write KIND=VALUE, where KIND is "
              + kinds.joined(separator: ", ") + " (for example time='2025-12-24 17:53:00-07')", at: whole)
        ]
      )
    }
    let key = String(argument[..<equals])
    let value = String(argument[argument.index(after: equals)...])
    guard kinds.contains(key) else {
      return (
        nil,
        [
          .error(
            "'\(key)' is not a kind of target pitr advance moves to; use one of "
              + kinds.joined(separator: ", "), at: whole)
        ]
      )
    }
    // The value as YAML: a number stays a number for xid (the plan's own type check then
    // speaks), everything else is a double-quoted string.
    let written =
      key == "xid" && !value.isEmpty && value.allSatisfy(\.isASCII) && value.allSatisfy(\.isNumber)
      ? value : quoted(value)
    let source = SourceText(file: option, text: "\(key): \(written)\n")
    let context = LoadingContext(source: source, environment: [:])
    let (root, yamlDiagnostics) = YAMLComposer.compose(source)
    yamlDiagnostics.forEach(context.report)
    var parsed: RecoveryTarget?
    if let root,
      case .section(let checked)? = context.checkSection(
        root, PlanFormat.target, path: PlanPath.root.appending(key: "target"), keyLocation: context.startOfFile)
    {
      parsed = PlanBuilder(context: context, fileStem: "advance").buildTarget(checked)
    }
    // Located in the argument, not in a file of lines: say which option it came from.
    let diagnostics = context.diagnostics.map { diagnostic in
      var moved = diagnostic
      moved.location = whole
      return moved
    }
    guard var result = parsed, !diagnostics.contains(where: { $0.severity == .error }) else {
      return (nil, diagnostics)
    }
    result.timeline = target.timeline
    if result.kind.value.usesInclusive, target.kind.value.usesInclusive { result.inclusive = target.inclusive }
    return (result, diagnostics)
  }

  /// `KIND=VALUE` for a target, as `--to` takes it.
  public static func argument(for kind: RecoveryTarget.Kind) -> String? {
    switch kind {
    case .time(let time): "time=\(time)"
    case .lsn(let lsn): "lsn=\(lsn)"
    case .xid(let xid): "xid=\(xid)"
    case .name(let name): "name=\(name)"
    case .immediate, .latest: nil
    }
  }

  private static func quoted(_ text: String) -> String {
    var result = "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": result += "\\\""
      case "\\": result += "\\\\"
      case "\n": result += "\\n"
      case "\t": result += "\\t"
      default:
        if scalar.value < 0x20 {
          result += "\\x" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
        } else {
          result.unicodeScalars.append(scalar)
        }
      }
    }
    return result + "\""
  }
}
