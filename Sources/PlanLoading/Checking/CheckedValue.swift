import PlanModel

/// A plan value that has passed its kind's checks: the right YAML type, interpolated,
/// in range, in format. The plan builder turns these into `PlanModel` values.
indirect enum CheckedValue {
  case text(Located<String>)
  case integer(Located<Int>)
  case unsigned(Located<UInt64>)
  case boolean(Located<Bool>)
  case null(SourceLocation)
  case list([CheckedValue], SourceLocation)
  case section(CheckedSection)
  case dictionary([(key: Located<String>, value: CheckedValue)], SourceLocation)

  var location: SourceLocation {
    switch self {
    case .text(let value): value.location
    case .integer(let value): value.location
    case .unsigned(let value): value.location
    case .boolean(let value): value.location
    case .null(let location): location
    case .list(_, let location): location
    case .section(let section): section.location
    case .dictionary(_, let location): location
    }
  }

  var text: Located<String>? { if case .text(let value) = self { value } else { nil } }
  var integer: Located<Int>? { if case .integer(let value) = self { value } else { nil } }
  var unsigned: Located<UInt64>? { if case .unsigned(let value) = self { value } else { nil } }
  var boolean: Located<Bool>? { if case .boolean(let value) = self { value } else { nil } }
  var section: CheckedSection? { if case .section(let value) = self { value } else { nil } }
  var list: [CheckedValue]? { if case .list(let items, _) = self { items } else { nil } }

  /// A scalar's text, or `nil` for SQL NULL (`null` in YAML); for `scalarText` kinds.
  var optionalText: String?? {
    switch self {
    case .text(let value): .some(value.value)
    case .null: .some(nil)
    default: nil
    }
  }
}

/// A checked mapping with fixed keys: the values written, plus the defaults of keys left out.
struct CheckedSection {
  /// Where the section's key is (or 1:1 for the whole file).
  var location: SourceLocation
  /// Checked values by key; keys whose value failed its checks are absent.
  var values: [String: CheckedValue]
  /// Keys the plan wrote (as opposed to defaults), with their key's location.
  var writtenKeys: [String: SourceLocation]

  subscript(key: String) -> CheckedValue? { values[key] }
}
