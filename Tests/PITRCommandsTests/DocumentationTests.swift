import Foundation
import PlanLoading
import Testing
import _PITRTestSupport

@Suite struct DocumentationTests {
  @Test func planFormatReferenceMatchesTheLoader() throws {
    let document = try String(contentsOfFile: "\(RepositoryPaths.root)/docs/plan-format.md", encoding: .utf8)
    #expect(
      document.contains(PlanReference.markdown),
      "docs/plan-format.md is stale: regenerate its reference with `pitr schema --format markdown`")
  }

  @Test func everyKeyIsInTheReference() {
    let reference = PlanReference.markdown
    for path in PlanFormat.allKeyPaths {
      let key = path.split(separator: ".").last.map(String.init) ?? path
      #expect(reference.contains("| `\(key)` |"), "\(path) is missing from the reference")
    }
  }

  @Test func exitCodesAreDocumented() throws {
    let document = try String(contentsOfFile: "\(RepositoryPaths.root)/docs/exit-codes.md", encoding: .utf8)
    for code in ["| 0 |", "| 1 |", "| 2 |", "| 64 |"] {
      #expect(document.contains(code))
    }
  }
}
