/// What a key of the plan format accepts. The loader checks values against it and
/// `pitr schema` translates it into JSON Schema, so the two cannot disagree.
public indirect enum ValueKind: Sendable {
  /// Text in a given format.
  case string(StringFormat)
  /// A whole number in a range.
  case integer(ClosedRange<Int>)
  /// A 64-bit unsigned number, written as an integer or as a quoted string of digits.
  case unsignedDecimal
  /// `true` or `false`.
  case boolean
  /// Only `true`: a key whose presence selects something (`immediate: true`).
  case trueFlag
  /// One of a fixed set of words.
  case keyword([String])
  /// The first alternative whose YAML type fits.
  case union([ValueKind])
  /// Any scalar (text, number, boolean, or null when allowed), kept as its text.
  case scalarText(singleLine: Bool, allowsNull: Bool)
  /// A list of values.
  case list(ValueKind, minimumCount: Int)
  /// A mapping with fixed keys.
  case section(SectionDefinition)
  /// A mapping whose keys are free-form in a given format (`settings`, `tablespaces`).
  case dictionary(key: StringFormat, value: ValueKind)

  /// A phrase for messages and docs: "an integer from 1 to 65535", "one of promote, pause".
  public var expectation: String {
    switch self {
    case .string(let format): format.phrase
    case .integer(let range) where range.upperBound == Int.max:
      "an integer of at least \(range.lowerBound)"
    case .integer(let range) where range.lowerBound == range.upperBound:
      "the integer \(range.lowerBound)"
    case .integer(let range): "an integer from \(range.lowerBound) to \(range.upperBound)"
    case .unsignedDecimal: "an unsigned 64-bit integer (quote it: \"7587588177156489861\")"
    case .boolean: "true or false"
    case .trueFlag: "true"
    case .keyword(let words): "one of " + words.joined(separator: ", ")
    case .union(let kinds): kinds.map(\.expectation).joined(separator: ", or ")
    case .scalarText(let singleLine, _): singleLine ? "a single line of text" : "a value"
    case .list: "a list"
    case .section: "a mapping"
    case .dictionary: "a mapping"
    }
  }
}

/// One key of a section of the plan format.
public struct FieldDefinition: Sendable {
  /// What happens when the key is left out.
  public enum Presence: Sendable {
    /// The plan must have it.
    case required
    /// It may be left out; then it is absent.
    case optional
    /// It may be left out; then this value (written as in YAML) is used.
    case defaulted(String)
    /// It may be left out; then a value derived as described is used.
    case derived(String)
  }

  public let key: String
  public let kind: ValueKind
  public let presence: Presence
  /// One or two sentences for `pitr schema` and docs/plan-format.md.
  public let summary: String
  /// The PostgreSQL setting (or settings) this key becomes, if any.
  public let postgresSetting: String?

  public init(
    _ key: String, _ kind: ValueKind, _ presence: Presence, setting: String? = nil,
    _ summary: String
  ) {
    self.key = key
    self.kind = kind
    self.presence = presence
    self.summary = summary
    self.postgresSetting = setting
  }

  public var isRequired: Bool {
    if case .required = presence { true } else { false }
  }
}

/// A mapping with fixed keys, and the rules that tie its keys together.
public struct SectionDefinition: Sendable {
  public let fields: [FieldDefinition]
  public let rules: [SectionRule]

  public init(_ fields: [FieldDefinition], rules: [SectionRule] = []) {
    self.fields = fields
    self.rules = rules
  }

  public func field(_ key: String) -> FieldDefinition? { fields.first { $0.key == key } }
}

/// A rule between keys of one section, enforced by the loader and expressed in the schema.
public enum SectionRule: Sendable {
  /// Exactly one of these keys must be present; `noun` names the choice in messages
  /// ("a target").
  case exactlyOne([String], noun: String)
  /// `key` may appear only together with one of `companions`.
  case onlyWith(key: String, companions: [String], reason: String)
  /// When `key` is `true`, `requirement` must be present.
  case requiresWhenTrue(key: String, requirement: String, reason: String)
  /// When `key` has the value `value`, `other` must be absent.
  case forbidsWhen(key: String, value: String, other: String, reason: String)
  /// When `key` has the value `value`, `other` must be present and non-empty.
  case requiresWhen(key: String, value: String, other: String, reason: String)
}
