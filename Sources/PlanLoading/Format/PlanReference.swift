/// The key reference of docs/plan-format.md, generated from `PlanFormat` so the document
/// cannot fall behind the loader (a test compares the two).
public enum PlanReference {
  /// Markdown tables, one per section, between the markers docs/plan-format.md uses.
  public static var markdown: String {
    var text = "<!-- BEGIN GENERATED REFERENCE (pitr schema --format markdown) -->\n"
    var sections: [(String, SectionDefinition)] = [("top level", PlanFormat.root)]
    // Each section after its parent, nested ones by their key path (`backups.s3`).
    func addSections(of parent: SectionDefinition, prefix: String) {
      for field in parent.fields {
        let name = prefix.isEmpty ? field.key : "\(prefix).\(field.key)"
        switch field.kind {
        case .section(let section):
          sections.append((name, section))
          addSections(of: section, prefix: name)
        case .list(.section(let section), _): sections.append(("\(name)[]", section))
        default: break
        }
      }
    }
    addSections(of: PlanFormat.root, prefix: "")
    for (name, section) in sections {
      text += "\n### `\(name)`\n\n"
      text += "| key | type | default | PostgreSQL setting | meaning |\n"
      text += "|---|---|---|---|---|\n"
      for field in section.fields {
        let presence: String =
          switch field.presence {
          case .required: "**required**"
          case .optional: "—"
          case .defaulted(let value): "`\(value)`"
          case .derived(let explanation): explanation
          }
        let setting = field.postgresSetting.map { "`\($0)`" } ?? "—"
        text +=
          "| `\(field.key)` | \(field.kind.expectation.escapedForTable) | \(presence) | \(setting) | "
          + "\(field.summary.escapedForTable) |\n"
      }
    }
    return text + "\n<!-- END GENERATED REFERENCE -->\n"
  }
}

extension String {
  fileprivate var escapedForTable: String {
    replacing("|", with: "\\|")
  }
}
