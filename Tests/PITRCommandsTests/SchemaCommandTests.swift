import Foundation
import PlanLoading
import Testing
import _PITRTestSupport

@Suite struct SchemaCommandTests {
  private func schema() throws -> Data {
    let result = try pitr("schema")
    #expect(result.status == 0)
    return Data(result.standardOutput.utf8)
  }

  @Test func schemaIsDraft2020JSONWithEveryTopLevelKey() throws {
    let object = try #require(
      JSONSerialization.jsonObject(with: try schema()) as? [String: Any])
    #expect(object["$schema"] as? String == "https://json-schema.org/draft/2020-12/schema")
    let properties = try #require(object["properties"] as? [String: Any])
    #expect(
      Set(properties.keys)
        == ["version", "name", "source", "backups", "target", "destination", "action", "verify"])
    #expect(object["required"] as? [String] == ["version", "backups", "target", "destination", "action"])
  }

  @Test func schemaOutputIsDeterministic() throws {
    #expect(try schema() == schema())
  }

  @Test func everyExamplePlanValidatesAgainstTheSchema() throws {
    let plans = RepositoryPaths.examplePlans
    #expect(plans.count >= 4)
    let documents = try plans.map { path in
      let yaml = try String(contentsOfFile: path, encoding: .utf8)
      return try YAMLToJSON.text(try #require(YAMLToJSON.convert(yaml, file: path)))
    }
    let verdicts = try JSONSchemaValidator.validate(schema: try schema(), documents: documents)
    for (plan, verdict) in zip(plans, verdicts) {
      #expect(verdict == "ok", "\(plan): \(verdict)")
    }
  }

  /// Malformed plans (of the table the loader must reject) that a schema can express.
  private static let rejectedBySchema = [
    "port is text", "port out of range", "target is a list", "verify is a mapping",
    "unknown top-level key", "unknown key in backups", "unknown key in target",
    "unknown key in destination", "unknown key in source", "unknown key in a check",
    "PostgreSQL setting as a key", "two targets", "no target", "bad LSN", "negative xid",
    "zone abbreviation", "relative data directory", "relative WAL folder",
    "settings value with a newline", "plan that is a list", "plan that is a scalar",
    "verify with shutdown", "promote-if-verified without checks", "timeline zero",
    "inclusive with a restore point", "unsupported version", "missing version",
  ]

  @Test func malformedPlansAreRejectedByTheSchemaToo() throws {
    let cases = malformedPlans.filter { Self.rejectedBySchema.contains($0.name) }
    #expect(cases.count == Self.rejectedBySchema.count)
    #expect(cases.count >= 10)
    let documents = try cases.map { plan in
      let yaml = String(decoding: plan.bytes, as: UTF8.self)
      return try YAMLToJSON.text(try #require(YAMLToJSON.convert(yaml, file: plan.name)))
    }
    let verdicts = try JSONSchemaValidator.validate(schema: try schema(), documents: documents)
    for (plan, verdict) in zip(cases, verdicts) {
      #expect(verdict.hasPrefix("invalid"), "\(plan.name) passed the schema")
    }
  }
}
