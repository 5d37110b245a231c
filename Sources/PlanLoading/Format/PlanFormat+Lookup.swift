/// Questions about the format as a whole, for suggestions.
extension PlanFormat {
  /// Every key path of the format (`target.time`, `destination.port`, …), in definition order.
  public static var allKeyPaths: [String] {
    var paths: [String] = []
    func walk(_ section: SectionDefinition, prefix: String) {
      for field in section.fields {
        let path = prefix.isEmpty ? field.key : "\(prefix).\(field.key)"
        paths.append(path)
        if case .section(let child) = field.kind { walk(child, prefix: path) }
      }
    }
    walk(root, prefix: "")
    return paths
  }

  /// Key paths whose last component is `key`.
  static func keyPaths(endingWith key: String) -> [String] {
    allKeyPaths.filter { $0 == key || $0.hasSuffix(".\(key)") }
  }

  /// The plan key that a PostgreSQL setting comes from (`recovery_target_time` →
  /// `target.time`), taken from the fields' `postgresSetting`.
  static func keyPath(forPostgresSetting setting: String) -> String? {
    var result: String?
    func walk(_ section: SectionDefinition, prefix: String) {
      for field in section.fields where result == nil {
        let path = prefix.isEmpty ? field.key : "\(prefix).\(field.key)"
        if field.postgresSetting == setting { result = path }
        if case .section(let child) = field.kind { walk(child, prefix: path) }
      }
    }
    walk(root, prefix: "")
    return result
  }
}
