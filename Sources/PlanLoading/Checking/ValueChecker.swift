import PlanModel

/// Checks YAML nodes against the plan format's kinds and produces `CheckedValue`s.
///
/// Every problem is reported where it is and checking goes on, so one run shows all of them.
extension LoadingContext {
  func check(_ node: YAMLNode, as kind: ValueKind, path: PlanPath) -> CheckedValue? {
    switch kind {
    case .section(let definition):
      return checkSection(node, definition, path: path, keyLocation: node.location)
    case .dictionary(let keyFormat, let valueKind):
      return checkDictionary(node, keyFormat: keyFormat, valueKind: valueKind, path: path)
    case .list(let element, let minimumCount):
      guard case .sequence(let items) = node.content else {
        return mismatch(node, kind, path)
      }
      if items.count < minimumCount {
        error("'\(path)' is empty; add at least one item or remove the key", at: node.location)
        return nil
      }
      // Items that failed are left out (and reported); the rest still get the builder's checks.
      let checked = items.enumerated().compactMap { index, item in
        check(item, as: element, path: path.appending(index: index))
      }
      return .list(checked, node.location)
    case .union(let alternatives):
      // PostgreSQL reads a quoted number as the number (recovery_target_timeline = '1').
      if let scalar = node.scalar, case .string = scalar.coreType, !scalar.text.contains("${"),
        !scalar.text.isEmpty, scalar.text.allSatisfy({ $0.isASCII && $0.isNumber }),
        let range = alternatives.lazy.compactMap({ alternative -> ClosedRange<Int>? in
          if case .integer(let range) = alternative { range } else { nil }
        }).first
      {
        guard let number = Int(scalar.text), range.contains(number) else {
          return outOfRange(node, text: scalar.text, kind: kind, path: path)
        }
        return .integer(Located(number, at: node.location))
      }
      guard let alternative = alternatives.first(where: { fits(node, $0) }) else {
        return mismatch(node, kind, path)
      }
      return check(node, as: alternative, path: path, describedAs: kind)
    default:
      return check(node, as: kind, path: path, describedAs: kind)
    }
  }

  // MARK: - Scalars

  /// Checks a scalar kind; `description` is the kind named in messages (a whole union).
  private func check(
    _ node: YAMLNode, as kind: ValueKind, path: PlanPath, describedAs description: ValueKind
  ) -> CheckedValue? {
    if case .section = kind { return check(node, as: kind, path: path) }
    if case .list = kind { return check(node, as: kind, path: path) }
    guard let scalar = node.scalar else { return mismatch(node, description, path) }
    let interpolated = scalar.text.contains("${")
    guard let text = interpolate(scalar) else { return nil }
    let located = Located(text, at: node.location)
    // A value built from ${NAME} is typed by what it expands to; others by YAML 1.2's rules.
    let type = interpolated ? YAMLScalar.coreType(ofPlain: text) : scalar.coreType
    let found = interpolated ? "'\(text)' (from \(scalar.text))" : scalar.kindDescription
    if case .null = type, !interpolated {
      if case .scalarText(_, allowsNull: true) = kind { return .null(node.location) }
      error("'\(path)' has no value; give \(description.expectation) or remove the key", at: node.location)
      return nil
    }
    switch kind {
    case .string(let format):
      if !interpolated, case .string = type {
      } else if !interpolated {
        return mismatch(node, description, path, found: found)
      }
      return checkFormat(located, format, path: path)
    case .integer(let range):
      guard case .integer = type, let number = Int(text), range.contains(number) else {
        guard case .integer = type else { return mismatch(node, description, path, found: found) }
        return outOfRange(node, text: text, kind: description, path: path)
      }
      return .integer(Located(number, at: node.location))
    case .unsignedDecimal:
      guard text.allSatisfy(\.isASCII), let number = UInt64(text), number > 0 else {
        return mismatch(node, description, path, found: found)
      }
      return .unsigned(Located(number, at: node.location))
    case .boolean, .trueFlag:
      guard case .boolean(let value) = type else {
        var notes: [Diagnostic.Note] = []
        if ["on", "off", "yes", "no", "y", "n"].contains(text.lowercased()) {
          notes.append(.init("plans are read as YAML 1.2, where '\(text)' is text; write true or false"))
        }
        error(
          "'\(path)' must be \(description.expectation), not \(found)", at: node.location,
          notes: notes)
        return nil
      }
      if case .trueFlag = kind, !value {
        error(
          "'\(path): false' selects nothing; set it to true, or remove it and choose another "
            + "kind", at: node.location)
        return nil
      }
      return .boolean(Located(value, at: node.location))
    case .keyword(let words):
      guard case .string = type, words.contains(text) else {
        let suggestion = Suggestions.closest(to: text, among: words)
        error(
          "'\(path)' must be \(description.expectation), not '\(text)'", at: node.location,
          notes: suggestion.map { [.init("did you mean '\($0)'?")] } ?? [])
        return nil
      }
      return .text(located)
    case .scalarText(let singleLine, _):
      if singleLine, let bad = text.unicodeScalars.first(where: { $0 == "\n" || $0 == "\r" || $0 == "\0" }) {
        let what = bad == "\0" ? "a NUL character" : "a line break"
        error(
          "'\(path)' contains \(what); a setting value must be a single line "
            + "(it would otherwise add a line to postgresql.auto.conf)", at: node.location)
        return nil
      }
      return .text(located)
    case .section, .dictionary, .list, .union:
      return check(node, as: kind, path: path)
    }
  }

  private func checkFormat(_ value: Located<String>, _ format: StringFormat, path: PlanPath)
    -> CheckedValue?
  {
    if let problem = format.problem(in: value.value, path: path.description) {
      error(problem.message, at: value.location, notes: problem.notes.map { .init($0) })
      return nil
    }
    return .text(value)
  }

  /// Whether a node has the YAML shape an alternative of a union takes.
  private func fits(_ node: YAMLNode, _ kind: ValueKind) -> Bool {
    switch (node.content, kind) {
    case (.sequence, .list): return true
    case (.mapping, .section), (.mapping, .dictionary): return true
    case (.scalar(let scalar), .integer):
      if case .integer = scalar.coreType { return true }
      return scalar.text.contains("${")
    case (.scalar(let scalar), .string), (.scalar(let scalar), .keyword):
      if case .string = scalar.coreType { return true }
      return false
    case (.scalar, .boolean), (.scalar, .trueFlag), (.scalar, .unsignedDecimal),
      (.scalar, .scalarText):
      return true
    default: return false
    }
  }

  /// Reports a value of the wrong type; `found` describes it (default: its YAML type and text).
  private func mismatch(
    _ node: YAMLNode, _ kind: ValueKind, _ path: PlanPath, found: String? = nil
  ) -> CheckedValue? {
    var notes: [Diagnostic.Note] = []
    if case .scalar(let scalar) = node.content, case .string = kind.scalarShape,
      scalar.style == .plain
    {
      notes.append(.init("to write it as text, put it in quotes: \"\(scalar.text)\""))
    }
    error(
      "'\(path)' must be \(kind.expectation), not \(found ?? node.kindDescription)",
      at: node.location, notes: notes)
    return nil
  }

  private func outOfRange(_ node: YAMLNode, text: String, kind: ValueKind, path: PlanPath)
    -> CheckedValue?
  {
    if path.description == "version" {
      error(
        "plan format version \(text) is not supported; this pitr reads version "
          + "\(PlanFormat.currentVersion)", at: node.location)
      return nil
    }
    var notes: [Diagnostic.Note] = []
    if path.description == "target.xid", let wide = UInt64(text), wide > UInt64(UInt32.max) {
      notes.append(
        .init(
          "txid_current() and pg_current_xact_id() include the epoch; the 32-bit xid "
            + "PostgreSQL matches is \(wide & 0xFFFF_FFFF)"))
    }
    error("'\(path)' must be \(kind.expectation), not \(text)", at: node.location, notes: notes)
    return nil
  }
}

extension ValueKind {
  /// The scalar shape this kind takes, for "put it in quotes" hints.
  fileprivate var scalarShape: ScalarShape {
    switch self {
    case .string, .keyword: .string
    case .union(let kinds): kinds.contains { $0.scalarShape == .string } ? .string : .other
    default: .other
    }
  }

  fileprivate enum ScalarShape { case string, other }
}
