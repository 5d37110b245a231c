import Foundation

@testable import PlanLoading

/// A YAML document as JSON, typed by YAML 1.2's core schema as the loader reads it, before
/// `${NAME}` interpolation: what an editor's schema check sees.
enum YAMLToJSON {
  static func convert(_ yaml: String, file: String) -> JSONValue? {
    let (root, diagnostics) = YAMLComposer.compose(SourceText(file: file, text: yaml))
    guard let root, diagnostics.isEmpty else { return nil }
    return json(root)
  }

  private static func json(_ node: YAMLNode) -> JSONValue {
    switch node.content {
    case .mapping(let pairs):
      return .object(Dictionary(pairs.map { ($0.key, json($0.value)) }, uniquingKeysWith: { $1 }))
    case .sequence(let items):
      return .array(items.map(json))
    case .scalar(let scalar):
      switch scalar.coreType {
      case .null: return .null
      case .boolean(let value): return .bool(value)
      case .integer:
        if let value = Int(scalar.text) { return .integer(value) }
        if let value = UInt64(scalar.text) { return .unsigned(value) }
        return .string(scalar.text)
      case .float:
        return .string(scalar.text)  // no float keys in a plan; a string fails their schema too
      case .string:
        return .string(scalar.text)
      }
    }
  }

  static func text(_ value: JSONValue) throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return try encoder.encode(value)
  }
}
