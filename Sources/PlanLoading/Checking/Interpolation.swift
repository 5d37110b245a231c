import PlanModel

/// `${NAME}` and `${NAME:-default}` in plan strings, replaced from the environment.
///
/// `${NAME:-default}` uses the default when NAME is unset or empty, as in the shell. `$${`
/// writes a literal `${`. Any other `$` is left alone, so SQL with `$$` quoting is safe.
extension LoadingContext {
  /// The scalar's text with every reference replaced, or `nil` after reporting a problem at
  /// the reference's position.
  func interpolate(_ scalar: YAMLScalar) -> String? {
    let text = scalar.text
    guard text.contains("${") else { return text }
    var result = ""
    var rest = Substring(text)
    var referenceIndex = 0
    var failed = false
    while let dollar = rest.firstRange(of: "${") {
      let escaped =
        dollar.lowerBound > rest.startIndex
        && rest[rest.index(before: dollar.lowerBound)] == "$"
      if escaped {
        result += rest[..<rest.index(before: dollar.lowerBound)] + "${"
        rest = rest[dollar.upperBound...]
        referenceIndex += 1
        continue
      }
      result += rest[..<dollar.lowerBound]
      let location = locationOfReference(referenceIndex, in: scalar)
      referenceIndex += 1
      guard let close = rest[dollar.upperBound...].firstIndex(of: "}") else {
        error("'${' without a closing '}'; write ${NAME} (or $${ for a literal '${')", at: location)
        return nil
      }
      let body = rest[dollar.upperBound..<close]
      rest = rest[rest.index(after: close)...]
      let name: Substring
      let fallback: Substring?
      if let separator = body.firstRange(of: ":-") {
        name = body[..<separator.lowerBound]
        fallback = body[separator.upperBound...]
      } else {
        name = body
        fallback = nil
      }
      guard name.wholeMatch(of: /[A-Za-z_][A-Za-z0-9_]*/) != nil else {
        error(
          "'${\(body)}' is not a variable reference; a name is letters, digits and '_' "
            + "(write ${NAME} or ${NAME:-default})", at: location)
        failed = true
        continue
      }
      if let value = environment[String(name)], !(fallback != nil && value.isEmpty) {
        result += value
      } else if let fallback {
        result += fallback
      } else {
        error(
          "environment variable '\(name)' is not set; export it, or give a default with "
            + "${\(name):-value}", at: location)
        failed = true
      }
    }
    return failed ? nil : result + rest
  }

  /// Where the n-th `${` of a scalar's value is in the file: the n-th `${` in its source.
  private func locationOfReference(_ index: Int, in scalar: YAMLScalar) -> SourceLocation {
    let raw = source.slice(from: scalar.start, to: scalar.end)
    var seen = 0
    for position in raw.indices.dropLast() where raw[position].scalar == "$" {
      if raw[position + 1].scalar == "{" {
        if seen == index { return raw[position].location }
        seen += 1
      }
    }
    return scalar.start
  }
}
