import Foundation

/// `pitr schema`: the JSON Schema (draft 2020-12) of the plan format, generated from
/// `PlanFormat`, the same definition the loader checks plans against.
///
/// The schema describes the file as written, before `${NAME}` interpolation: wherever a number,
/// boolean or keyword goes, a `${NAME}` reference is accepted too.
public enum PlanSchema {
  public static let identifier = "https://pitr.dev/schemas/plan-v\(PlanFormat.currentVersion).json"

  /// The schema as a JSON value.
  public static var document: JSONValue {
    guard case .object(var root) = schema(for: .section(PlanFormat.root)) else { return .null }
    root["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    root["$id"] = .string(identifier)
    root["title"] = "pitr restore plan"
    root["description"] =
      "A declarative point-in-time-recovery plan for PostgreSQL (format version 1)."
    root["$defs"] = [
      "interpolation": [
        "description": "A ${NAME} or ${NAME:-default} reference, replaced from the environment.",
        "type": "string",
        "pattern": #"^\$\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\}$"#,
      ]
    ]
    return .object(root)
  }

  /// The schema as pretty-printed JSON text with sorted keys, ending in a newline.
  public static var text: String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    let data = (try? encoder.encode(document)) ?? Data()
    return String(decoding: data, as: UTF8.self) + "\n"
  }

  private static let interpolation: JSONValue = ["$ref": "#/$defs/interpolation"]

  static func schema(for kind: ValueKind) -> JSONValue {
    switch kind {
    case .string(let format):
      var members: [String: JSONValue] = ["type": "string", "minLength": 1]
      if let pattern = format.pattern { members["pattern"] = .string(pattern) }
      if let maximum = format.maximumLength { members["maxLength"] = .integer(maximum) }
      if format != .multilineText { members["not"] = ["pattern": "[\\n\\r]"] }
      return .object(members)
    case .integer(let range):
      return [
        "anyOf": [
          ["type": "integer", "minimum": .integer(range.lowerBound), "maximum": .integer(range.upperBound)],
          interpolation,
        ]
      ]
    case .unsignedDecimal:
      return [
        "anyOf": [
          ["type": "integer", "minimum": 1, "maximum": .unsigned(UInt64.max)],
          ["type": "string", "pattern": "^[0-9]{1,20}$"],
          interpolation,
        ]
      ]
    case .boolean:
      return ["anyOf": [["type": "boolean"], interpolation]]
    case .trueFlag:
      return ["anyOf": [["const": true], interpolation]]
    case .keyword(let words):
      return ["anyOf": [["enum": .array(words.map { .string($0) })], interpolation]]
    case .union(let kinds):
      return ["anyOf": .array(kinds.map(schema(for:)))]
    case .scalarText(let singleLine, let allowsNull):
      var types: [JSONValue] = ["string", "number", "boolean"]
      if allowsNull { types.append("null") }
      var members: [String: JSONValue] = ["type": .array(types)]
      if singleLine { members["pattern"] = "^[^\\n\\r\\u0000]*$" }
      return .object(members)
    case .list(let element, let minimumCount):
      return ["type": "array", "items": schema(for: element), "minItems": .integer(minimumCount)]
    case .dictionary(let keyFormat, let value):
      return [
        "type": "object",
        "propertyNames": schema(for: .string(keyFormat)),
        "additionalProperties": schema(for: value),
      ]
    case .section(let section):
      return schema(for: section)
    }
  }

  private static func schema(for section: SectionDefinition) -> JSONValue {
    var properties: [String: JSONValue] = [:]
    for field in section.fields {
      guard case .object(var property) = schema(for: field.kind) else { continue }
      property["description"] = .string(description(of: field))
      if case .defaulted(let text) = field.presence {
        property["default"] = typedDefault(text, field.kind)
      }
      properties[field.key] = .object(property)
    }
    var members: [String: JSONValue] = [
      "type": "object",
      "properties": .object(properties),
      "additionalProperties": false,
    ]
    let required = section.fields.filter(\.isRequired).map { JSONValue.string($0.key) }
    if !required.isEmpty { members["required"] = .array(required) }
    let rules = section.rules.map(schema(for:))
    if !rules.isEmpty { members["allOf"] = .array(rules) }
    return .object(members)
  }

  private static func schema(for rule: SectionRule) -> JSONValue {
    func when(_ key: String, is value: JSONValue) -> JSONValue {
      ["properties": .object([key: ["const": value]]), "required": [.string(key)]]
    }
    switch rule {
    case .exactlyOne(let keys, _):
      return ["oneOf": .array(keys.map { ["required": [.string($0)]] })]
    case .onlyWith(let key, let companions, _):
      return [
        "if": ["required": [.string(key)]],
        "then": ["anyOf": .array(companions.map { ["required": [.string($0)]] })],
      ]
    case .requiresWhenTrue(let key, let requirement, _):
      return ["if": when(key, is: true), "then": ["required": [.string(requirement)]]]
    case .forbidsWhen(let key, let value, let other, _):
      return ["if": when(key, is: .string(value)), "then": ["not": ["required": [.string(other)]]]]
    case .requiresWhen(let key, let value, let other, _):
      return ["if": when(key, is: .string(value)), "then": ["required": [.string(other)]]]
    }
  }

  /// The field's summary, its default, and the setting it becomes.
  static func description(of field: FieldDefinition) -> String {
    var text = field.summary
    switch field.presence {
    case .required: text += " Required."
    case .defaulted(let value): text += " Default: \(value)."
    case .derived(let explanation): text += " Default: \(explanation)."
    case .optional: break
    }
    if let setting = field.postgresSetting { text += " PostgreSQL setting: \(setting)." }
    return text
  }

  private static func typedDefault(_ text: String, _ kind: ValueKind) -> JSONValue {
    switch kind {
    case .boolean: .bool(text == "true")
    case .integer: Int(text).map(JSONValue.integer) ?? .string(text)
    default: .string(text)
    }
  }
}
