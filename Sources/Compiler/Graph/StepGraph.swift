/// The steps of a restore and the order they need: step B depends on step A when B needs
/// an artifact A makes. Independent steps (extraction and WAL prefetch) can run at once.
public struct StepGraph: Hashable, Sendable, Codable {
  public var steps: [Step]

  public init(steps: [Step]) { self.steps = steps }

  /// For each step id, the ids of the steps it depends on, sorted.
  public var dependencies: [String: [String]] {
    var producer: [Artifact: String] = [:]
    for step in steps {
      for output in step.outputs { producer[output] = step.id }
    }
    var result: [String: [String]] = [:]
    for step in steps {
      result[step.id] = Array(Set(step.inputs.compactMap { producer[$0] })).sorted()
    }
    return result
  }

  /// Problems with the graph itself: an artifact made twice, one nobody makes, a cycle.
  public func problems() -> [String] {
    var problems: [String] = []
    var producer: [Artifact: String] = [:]
    for step in steps {
      for output in step.outputs {
        if let other = producer[output] {
          problems.append("'\(output)' is made by both \(other) and \(step.id)")
        }
        producer[output] = step.id
      }
    }
    for step in steps {
      for input in step.inputs where producer[input] == nil {
        problems.append("\(step.id) needs '\(input)', which no step makes")
      }
    }
    if let cycle = findCycle() {
      problems.append("the steps depend on each other in a circle: " + cycle.joined(separator: " -> "))
    }
    return problems
  }

  /// The steps in an order that respects the dependencies; ties go in the order the steps
  /// were listed, so the order is the same every time.
  public var ordered: [Step] {
    let dependencies = dependencies
    var done = Set<String>()
    var result: [Step] = []
    var remaining = steps
    while !remaining.isEmpty {
      guard
        let index = remaining.firstIndex(where: { step in
          (dependencies[step.id] ?? []).allSatisfy(done.contains)
        })
      else {
        return result + remaining  // a cycle; `problems()` reports it
      }
      let step = remaining.remove(at: index)
      done.insert(step.id)
      result.append(step)
    }
    return result
  }

  private func findCycle() -> [String]? {
    let dependencies = dependencies
    var state: [String: Int] = [:]  // 1 visiting, 2 done
    var stack: [String] = []
    func visit(_ id: String) -> [String]? {
      if state[id] == 2 { return nil }
      if state[id] == 1 {
        let start = stack.firstIndex(of: id) ?? 0
        return Array(stack[start...]) + [id]
      }
      state[id] = 1
      stack.append(id)
      for dependency in dependencies[id] ?? [] {
        if let cycle = visit(dependency) { return cycle }
      }
      stack.removeLast()
      state[id] = 2
      return nil
    }
    for step in steps {
      if let cycle = visit(step.id) { return cycle }
    }
    return nil
  }
}
