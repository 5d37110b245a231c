import Foundation
import Testing
import _PITRTestSupport

/// Reads `pitr wal find --json`: JSON Lines, one compact object a line.
enum WALFindLines {
  /// Every line as an object; each must be one compact JSON object.
  /// Every line is checked against docs/wal-find.schema.json, and the last is the `end` line.
  static func lines(_ output: String) throws -> [[String: Any]] {
    #expect(output.hasSuffix("\n"), "JSON Lines end with a newline")
    try JSONSchemaValidator.expectLines(output, conformTo: "wal-find.schema.json")
    let lines = output.split(separator: "\n")
    return try lines.map { line in
      try #require(
        JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not a JSON object: \(line)")
    }.enumerated().map { index, object in
      let isLast = index == lines.count - 1
      #expect((object["type"] as? String == "end") == isLast, "only the last line is the end line")
      return object
    }
  }

  /// The `event` lines.
  static func events(_ output: String) throws -> [[String: Any]] {
    try lines(output).filter { $0["type"] as? String == "event" }
  }
}
