import Foundation
import Testing

/// Python's `jsonschema` package (Debian `python3-jsonschema`), a real JSON Schema 2020-12
/// validator independent of pitr.
public enum JSONSchemaValidator {
  /// A Python that can `import jsonschema`; `.ci/run` installs one.
  public static let python: String? = {
    for candidate in ["/usr/bin/python3", "/usr/local/bin/python3", "python3"] {
      let executable =
        candidate.hasPrefix("/")
        ? candidate
        : (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
          .map { "\($0)/\(candidate)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
      guard let executable, FileManager.default.isExecutableFile(atPath: executable) else { continue }
      if let result = try? ProcessRunner.run(executable, ["-c", "import jsonschema"]),
        result.status == 0
      {
        return executable
      }
    }
    return nil
  }()

  private static let script = """
    import json, sys
    from jsonschema import Draft202012Validator
    schema = json.load(open(sys.argv[1]))
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)
    for path in sys.argv[2:]:
        errors = sorted(validator.iter_errors(json.load(open(path))), key=lambda e: list(e.path))
        print(path + "\\t" + ("ok" if not errors else "invalid: " + errors[0].message.replace("\\n", " ")))
    """

  /// Validates documents against the schema; returns each document's verdict ("ok" or
  /// "invalid: …") in order, or records an issue when no validator is available.
  public static func validate(schema: Data, documents: [Data]) throws -> [String] {
    guard let python else {
      Issue.record("no python3 with jsonschema: install python3-jsonschema (.ci/run does)")
      return []
    }
    let directory = try TemporaryDirectory("schema")
    defer { directory.remove() }
    let schemaPath = directory.file("schema.json")
    try schema.write(to: URL(fileURLWithPath: schemaPath))
    var paths: [String] = []
    for (index, document) in documents.enumerated() {
      let path = directory.file("doc\(index).json")
      try document.write(to: URL(fileURLWithPath: path))
      paths.append(path)
    }
    let result = try ProcessRunner.run(python, ["-c", script, schemaPath] + paths)
    #expect(result.status == 0, "jsonschema failed: \(result.standardError)")
    let verdicts = Dictionary(
      result.standardOutput.split(separator: "\n").compactMap { line -> (String, String)? in
        let parts = line.split(separator: "\t", maxSplits: 1)
        return parts.count == 2 ? (String(parts[0]), String(parts[1])) : nil
      }, uniquingKeysWith: { $1 })
    return paths.map { verdicts[$0] ?? "missing" }
  }
}

extension JSONSchemaValidator {
  private static let linesScript = """
    import json, sys
    from jsonschema import Draft202012Validator
    schema = json.load(open(sys.argv[1]))
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)
    for number, line in enumerate(open(sys.argv[2]), 1):
        errors = sorted(validator.iter_errors(json.loads(line)), key=lambda e: list(e.path))
        if errors:
            print("line %d: invalid: %s: %s" % (number, errors[0].message.replace("\\n", " ")[:300], line[:300].strip()))
    """

  /// Checks each line of JSON Lines output against a schema in docs/ (such as
  /// `apply-events.schema.json`), recording an issue for each line that does not conform.
  public static func expectLines(_ output: String, conformTo schemaFile: String) throws {
    guard let python else {
      Issue.record("no python3 with jsonschema: install python3-jsonschema (.ci/run does)")
      return
    }
    #expect(!output.isEmpty, "no JSON lines to check against \(schemaFile)")
    let directory = try TemporaryDirectory("schema-lines")
    defer { directory.remove() }
    let path = directory.file("lines.jsonl")
    try Data(output.utf8).write(to: URL(fileURLWithPath: path))
    let result = try ProcessRunner.run(
      python, ["-c", linesScript, "\(RepositoryPaths.root)/docs/\(schemaFile)", path], timeout: 120)
    #expect(result.status == 0, "jsonschema failed: \(result.standardError)")
    for problem in result.standardOutput.split(separator: "\n") {
      Issue.record("\(schemaFile): \(problem)")
    }
  }
}
