import PlanModel

/// The block pitr writes into the restored cluster's `postgresql.auto.conf`: clearly
/// delimited, each line a setting with its value quoted and, where pitr chose the value, why.
public struct RecoveryConfiguration: Hashable, Sendable, Codable {
  public struct Line: Hashable, Sendable, Codable {
    public var name: String
    public var value: String
    /// Why pitr wrote it (shown as a comment), if it says.
    public var comment: String?

    public init(_ name: String, _ value: String, comment: String? = nil) {
      self.name = name
      self.value = value
      self.comment = comment
    }
  }

  public static let beginMarker = "# --- begin pitr recovery settings (written by pitr; do not edit) ---"
  public static let endMarker = "# --- end pitr recovery settings ---"

  public var lines: [Line]

  public init(lines: [Line]) { self.lines = lines }

  /// The block's text, markers included; `nil` if a value could not be quoted safely.
  public var text: String? {
    var text = Self.beginMarker + "\n"
    for line in lines {
      guard let value = ConfigurationValue.quoted(line.value) else { return nil }
      text += "\(line.name) = \(value)"
      if let comment = line.comment { text += "  # \(comment)" }
      text += "\n"
    }
    return text + Self.endMarker + "\n"
  }

  /// The value written for a setting, if any.
  public func value(of name: String) -> String? {
    lines.last { $0.name == name }?.value
  }
}
