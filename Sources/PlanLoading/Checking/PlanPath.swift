/// Where a value sits in the plan, for messages: `destination.port`, `verify[0].sql`.
struct PlanPath: CustomStringConvertible {
  private var text: String

  static let root = PlanPath(text: "")

  var isRoot: Bool { text.isEmpty }

  func appending(key: String) -> PlanPath {
    PlanPath(text: isRoot ? key : "\(text).\(key)")
  }

  func appending(index: Int) -> PlanPath {
    PlanPath(text: "\(text)[\(index)]")
  }

  var description: String { text }

  /// "in 'destination'" or "at the top level".
  var whereabouts: String { isRoot ? "at the top level" : "in '\(text)'" }
}
