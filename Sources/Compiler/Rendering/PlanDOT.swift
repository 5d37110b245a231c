/// The step graph in Graphviz's DOT language (`pitr plan --format dot | dot -Tsvg`).
public enum PlanDOT {
  public static func render(_ plan: CompiledPlan) -> String {
    var text = "digraph \"\(escape(plan.planName))\" {\n"
    text += "  rankdir=TB;\n  node [shape=box, fontname=\"Helvetica\"];\n"
    for step in plan.graph.ordered {
      text += "  \"\(escape(step.id))\" [label=\"\(escape(step.id))\\n\(escape(step.summary))\"];\n"
    }
    let dependencies = plan.graph.dependencies
    for step in plan.graph.ordered {
      for dependency in dependencies[step.id] ?? [] {
        text += "  \"\(escape(dependency))\" -> \"\(escape(step.id))\";\n"
      }
    }
    return text + "}\n"
  }

  private static func escape(_ text: String) -> String {
    var result = ""
    for character in text {
      switch character {
      case "\"": result += "\\\""
      case "\\": result += "\\\\"
      case "\n": result += "\\n"
      default: result.append(character)
      }
    }
    return result
  }
}
