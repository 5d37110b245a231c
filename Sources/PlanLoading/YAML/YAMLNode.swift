import PlanModel

/// A YAML node with the position of its first character, as composed from libyaml's events.
///
/// Unlike `Yams.Node`, mappings keep every key's own position, and the composer has already
/// reported duplicate keys, aliases that expand too far and unsupported tags.
struct YAMLNode: Sendable {
  enum Content: Sendable {
    case scalar(YAMLScalar)
    case sequence([YAMLNode])
    case mapping([YAMLPair])
  }

  var content: Content
  /// Where the node starts.
  var location: SourceLocation

  /// A word for error messages: "a mapping", "a list", "the integer 5", …
  var kindDescription: String {
    switch content {
    case .mapping: "a mapping"
    case .sequence: "a list"
    case .scalar(let scalar): scalar.kindDescription
    }
  }

  var scalar: YAMLScalar? {
    if case .scalar(let scalar) = content { scalar } else { nil }
  }
}

/// A key and its value in a YAML mapping.
struct YAMLPair: Sendable {
  /// The key's text.
  var key: String
  var keyLocation: SourceLocation
  var value: YAMLNode
}

/// A scalar's text and how it was written.
struct YAMLScalar: Sendable {
  enum Style: Sendable {
    case plain, singleQuoted, doubleQuoted, literal, folded
  }

  /// The YAML 1.2 core-schema type of a plain scalar; quoted and block scalars are strings.
  enum CoreType: Sendable {
    case null
    case boolean(Bool)
    case integer, float, string
  }

  var text: String
  var style: Style
  /// Where the scalar's source text starts and ends (the quotes included).
  var start: SourceLocation
  var end: SourceLocation
  /// Set by an explicit `!!str` tag: the scalar is a string whatever it looks like.
  var forcedString = false

  /// How YAML 1.2's core schema reads this scalar (what an editor's schema check sees).
  var coreType: CoreType {
    guard style == .plain, !forcedString else { return .string }
    return YAMLScalar.coreType(ofPlain: text)
  }

  static func coreType(ofPlain text: String) -> CoreType {
    switch text {
    case "", "~", "null", "Null", "NULL": return .null
    case "true", "True", "TRUE": return .boolean(true)
    case "false", "False", "FALSE": return .boolean(false)
    default: break
    }
    if text.wholeMatch(of: /[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+/) != nil { return .integer }
    if text.wholeMatch(of: /[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?/) != nil
      || text.wholeMatch(of: /[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)/) != nil
    {
      return .float
    }
    return .string
  }

  var kindDescription: String {
    switch coreType {
    case .null: "nothing (null)"
    case .boolean(let value): "the boolean \(value)"
    case .integer: "the integer \(text)"
    case .float: "the number \(text)"
    case .string: "the text \"\(text.count > 40 ? text.prefix(40) + "…" : Substring(text))\""
    }
  }
}
