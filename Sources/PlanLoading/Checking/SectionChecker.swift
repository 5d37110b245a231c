import PlanModel

/// Checks mappings: unknown and missing keys, each value, and the rules between keys.
extension LoadingContext {
  func checkSection(
    _ node: YAMLNode, _ definition: SectionDefinition, path: PlanPath,
    keyLocation: SourceLocation
  ) -> CheckedValue? {
    guard case .mapping(let pairs) = node.content else {
      let name = path.isRoot ? "a plan" : "'\(path)'"
      error(
        "\(name) must be a mapping of keys (\(definition.fields.map(\.key).prefix(4).joined(separator: ", ")), …), "
          + "not \(node.kindDescription)", at: node.location)
      return nil
    }
    var section = CheckedSection(location: keyLocation, values: [:], writtenKeys: [:])
    for pair in pairs {
      guard let field = definition.field(pair.key) else {
        reportUnknownKey(pair, in: definition, path: path)
        continue
      }
      section.writtenKeys[pair.key] = pair.keyLocation
      let valuePath = path.appending(key: pair.key)
      let value: CheckedValue?
      if case .section(let child) = field.kind {
        value = checkSection(pair.value, child, path: valuePath, keyLocation: pair.keyLocation)
      } else {
        value = check(pair.value, as: field.kind, path: valuePath)
      }
      if let value { section.values[pair.key] = value }
    }
    for field in definition.fields where section.writtenKeys[field.key] == nil {
      switch field.presence {
      case .required:
        error(
          "missing required key '\(field.key)' \(path.whereabouts) (\(field.summary.gist))",
          at: keyLocation)
      case .defaulted(let text):
        let defaultNode = YAMLNode(
          content: .scalar(
            YAMLScalar(text: text, style: .plain, start: keyLocation, end: keyLocation)),
          location: keyLocation)
        section.values[field.key] = check(
          defaultNode, as: field.kind, path: path.appending(key: field.key))
      case .optional, .derived:
        break
      }
    }
    for rule in definition.rules {
      enforce(rule, on: section, path: path)
    }
    return .section(section)
  }

  func checkDictionary(
    _ node: YAMLNode, keyFormat: StringFormat, valueKind: ValueKind, path: PlanPath
  ) -> CheckedValue? {
    guard case .mapping(let pairs) = node.content else {
      error(
        "'\(path)' must be a mapping of \(keyFormat.phrase) to \(valueKind.expectation), "
          + "not \(node.kindDescription)", at: node.location)
      return nil
    }
    var entries: [(key: Located<String>, value: CheckedValue)] = []
    for pair in pairs {
      if pair.key == Self.mergeKey {
        error(Self.mergeKeyMessage, at: pair.keyLocation)
        continue
      }
      if let problem = keyFormat.problem(in: pair.key, path: "\(path) key") {
        error(problem.message, at: pair.keyLocation, notes: problem.notes.map { .init($0) })
        continue
      }
      if let value = check(pair.value, as: valueKind, path: path.appending(key: pair.key)) {
        entries.append((Located(pair.key, at: pair.keyLocation), value))
      }
    }
    // Entries that failed are left out (and reported); the rest still get the builder's checks.
    return .dictionary(entries, node.location)
  }

  // MARK: - Unknown keys

  /// YAML's merge key, which plans do not support (a reviewer should see every key).
  static let mergeKey = "<<"
  static let mergeKeyMessage = "YAML merge keys ('<<') are not supported in plans; write the keys out"

  private func reportUnknownKey(_ pair: YAMLPair, in definition: SectionDefinition, path: PlanPath) {
    let key = pair.key
    var notes: [Diagnostic.Note] = []
    var message = "unknown key '\(key)' \(path.whereabouts)"
    if key == Self.mergeKey {
      message = Self.mergeKeyMessage
    } else if path.description == "backups.s3", PlanFormat.isCredentialKey(key) {
      message =
        "'\(key)' cannot be in a plan: a plan never holds credentials (it is committed and "
        + "printed); remove it, and \(RepositoryLocationParser.s3CredentialSources)"
    } else if let planKey = PlanFormat.keyPath(forPostgresSetting: key) {
      message =
        "'\(key)' is a PostgreSQL setting, not a plan key; pitr writes it from '\(planKey)'"
      let prefix = path.isRoot ? "" : "\(path)."
      if planKey.hasPrefix(prefix), !planKey.dropFirst(prefix.count).contains(".") {
        notes.append(.init("did you mean '\(planKey.dropFirst(prefix.count))'?"))
      } else {
        notes.append(.init("did you mean '\(planKey)'?"))
      }
    } else if let suggestion = Suggestions.closest(to: key, among: definition.fields.map(\.key)) {
      notes.append(.init("did you mean '\(suggestion)'?"))
    } else if let elsewhere = PlanFormat.keyPaths(endingWith: key).first {
      notes.append(.init("'\(key)' belongs in '\(elsewhere.dropLast(key.count + 1))'"))
    } else {
      notes.append(
        .init("valid keys here: " + definition.fields.map(\.key).joined(separator: ", ")))
    }
    error(message, at: pair.keyLocation, notes: notes)
  }

  // MARK: - Rules between keys

  private func enforce(_ rule: SectionRule, on section: CheckedSection, path: PlanPath) {
    let name = path.isRoot ? "the plan" : "'\(path)'"
    switch rule {
    case .exactlyOne(let keys, let noun):
      let present = keys.compactMap { key in section.writtenKeys[key].map { (key, $0) } }
        .sorted { $0.1 < $1.1 }
      if present.isEmpty {
        error(
          "\(name) needs \(noun): one of \(keys.map { "'\($0)'" }.joined(separator: ", "))",
          at: section.location)
      }
      for extra in present.dropFirst() {
        error(
          "\(name) has more than one \(noun.dropArticle) ('\(present[0].0)' and '\(extra.0)'); keep exactly one",
          at: extra.1, notes: [.init("'\(present[0].0)' is here", at: present[0].1)])
      }
    case .onlyWith(let key, let companions, let reason):
      guard let location = section.writtenKeys[key],
        !companions.contains(where: { section.writtenKeys[$0] != nil })
      else { return }
      error(
        "'\(key)' applies only to \(companions.joined(separator: ", ")) targets; remove it "
          + "(\(reason))", at: location)
    case .requiresWhenTrue(let key, let requirement, let reason):
      guard section[key]?.boolean?.value == true, section.writtenKeys[requirement] == nil,
        let location = section.writtenKeys[key]
      else { return }
      error("'\(key): true' needs '\(requirement)': \(reason)", at: location)
    case .forbidsWhen(let key, let value, let other, let reason):
      guard section[key]?.text?.value == value, let location = section.writtenKeys[other]
      else { return }
      error(
        "'\(other)' cannot be used with '\(key): \(value)': \(reason)", at: location,
        notes: section.writtenKeys[key].map { [.init("'\(key)' is set here", at: $0)] } ?? [])
    case .requiresWhen(let key, let value, let other, let reason):
      guard let actual = section[key]?.text, actual.value == value,
        section.writtenKeys[other] == nil
      else { return }
      error("'\(key): \(value)' needs '\(other)' with at least one check: \(reason)", at: actual.location)
    }
  }
}

extension String {
  /// The first sentence, lower-cased at the start and without its period, for use inside
  /// another sentence: "The port the restored server listens on." → "the port the …".
  var gist: String {
    var sentence = range(of: ". ").map { String(self[..<$0.lowerBound]) } ?? self
    if sentence.hasSuffix(".") { sentence.removeLast() }
    guard let first = sentence.first else { return sentence }
    let second = sentence.dropFirst().first
    // Keep acronyms and names ("WAL", "PostgreSQL") as they are.
    if second?.isUppercase == true { return sentence }
    return first.lowercased() + sentence.dropFirst()
  }
}

extension String {
  /// "a target" → "target", "an expectation" → "expectation".
  fileprivate var dropArticle: Substring {
    if hasPrefix("a ") { return dropFirst(2) }
    if hasPrefix("an ") { return dropFirst(3) }
    return self[...]
  }
}
