import PlanLoading
import PlanModel
import Testing
import _PITRTestSupport

@Suite struct YAMLTests {
  @Test func duplicateKeyIsReportedAtTheSecondWithTheFirstAsANote() {
    let result = expectDiagnostics(
      SamplePlan.base.replacing("port: 5599", with: "port: 5599\n  1️⃣port: 5432"),
      [
        .error(
          "1️⃣", "duplicate key 'port'; a key may appear only once in a mapping",
          notes: ["the first 'port' is here"])
      ])
    #expect(result.diagnostics.first?.notes.first?.location?.line == 9)
  }

  @Test func syntaxErrorKeepsLibyamlPosition() {
    expectDiagnostics(
      """
      version: 1
      backups:
        base: "/b
      1️⃣
      """,
      [
        .error(
          "1️⃣",
          "invalid YAML: found unexpected end of stream (while scanning a quoted scalar at line 3, "
            + "column 9)")
      ])
  }

  @Test func tabIndentationIsExplained() {
    expectDiagnostics(
      "version: 1\nbackups:\n1️⃣\tbase: /b\n",
      [.error("1️⃣", "a tab character is used for indentation; YAML indents with spaces only")])
  }

  @Test func emptyFile() {
    expectDiagnostics(
      "1️⃣", [.error("1️⃣", "the plan file is empty; a plan starts with 'version: 1'")])
    expectDiagnostics(
      "1️⃣# only a comment\n", [.error("1️⃣", "the plan file is empty; a plan starts with 'version: 1'")])
  }

  @Test func planThatIsAList() {
    expectDiagnostics(
      "1️⃣- version: 1\n",
      [
        .error(
          "1️⃣", "a plan must be a mapping of keys (version, name, source, backups, …), not a list")
      ])
  }

  @Test func secondDocumentIsRefused() {
    expectDiagnostics(
      SamplePlan.base + "1️⃣---\nversion: 1\n",
      [
        .error(
          "1️⃣", "a plan file holds one YAML document; remove this second one (or the '---' line)")
      ])
  }

  @Test func customTagsAreRefused() {
    expectDiagnostics(
      SamplePlan.base.replacing("port: 5599", with: "port: 1️⃣!port 5599"),
      [.error("1️⃣", "YAML tags are not supported in plans ('!port'); remove the tag")])
  }

  @Test func explicitStringTagMakesText() {
    let plan = loadValidPlan(SamplePlan.base.replacing("version: 1", with: "version: 1\nname: !!str 2025"))
    #expect(plan?.name.value == "2025")
  }

  @Test func anchorsAndAliasesWork() {
    let plan = loadValidPlan(
      SamplePlan.base + """
        verify:
          - &check
            sql: SELECT 1
            database: test
            expect: 1
          - *check

        """)
    #expect(plan?.verify.count == 2)
  }

  @Test func aliasBombStopsAtTheAlias() {
    var yaml = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
    for level in 1...9 {
      let previous = "*a\(level - 1)"
      yaml += "a\(level): &a\(level) [\(Array(repeating: previous, count: 10).joined(separator: ", "))]\n"
    }
    let result = PlanLoader(environment: [:]).load(bytes: Array(yaml.utf8), file: testFile)
    let first = result.diagnostics.first
    #expect(
      first?.message
        == "alias '*a3' expands to more than 100000 values; a plan needs far fewer: write the "
        + "values out instead of nesting aliases")
    #expect(first?.location?.line == 5)
    #expect(result.plan == nil)
  }

  @Test(arguments: [100, 5000])
  func deepNestingStops(depth: Int) {
    let yaml = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
    let result = PlanLoader(environment: [:]).load(bytes: Array(yaml.utf8), file: testFile)
    #expect(
      result.diagnostics.map(\.message)
        == ["the plan nests deeper than 64 levels; a plan needs at most 5"])
    // Ours stops at the 65th level; libyaml's limit (1000) trips at the start, reading ahead.
    let column = depth <= 1000 ? 65 : 1
    #expect(result.diagnostics.first?.location == SourceLocation(file: testFile, line: 1, column: column))
  }

  @Test func deepBlockNestingStops() {
    var yaml = ""
    for level in 0..<70 { yaml += String(repeating: " ", count: level) + "k\(level):\n" }
    let result = PlanLoader(environment: [:]).load(bytes: Array(yaml.utf8), file: testFile)
    #expect(
      result.diagnostics.map(\.message)
        == ["the plan nests deeper than 64 levels; a plan needs at most 5"])
  }

  @Test func invalidUTF8IsLocatedAtTheFirstBadByte() {
    var bytes = Array("version: 1\nname: caf".utf8)
    bytes.append(0xE9)  // Latin-1 'é'
    bytes += Array("\n".utf8)
    let result = PlanLoader(environment: [:]).load(bytes: bytes, file: testFile)
    #expect(
      result.diagnostics.map(\.message) == ["the plan is not valid UTF-8 (byte 0xE9); save it as UTF-8 text"])
    #expect(result.diagnostics.first?.location == SourceLocation(file: testFile, line: 2, column: 10))
  }

  @Test func controlCharacterIsRefused() {
    let result = PlanLoader(environment: [:]).load(
      bytes: Array("version: 1\nname: a\u{1}b\n".utf8), file: testFile)
    #expect(
      result.diagnostics.map(\.message)
        == ["the plan contains a control character (0x1); a plan is plain text"])
    #expect(result.diagnostics.first?.location == SourceLocation(file: testFile, line: 2, column: 8))
  }

  @Test func errorsComeInFileOrder() {
    let result = PlanLoader(environment: [:]).load(
      bytes: Array(
        """
        version: 1
        backups: {base: rel, wal: /w, bogus: 1}
        target: {lsn: nope}
        destination: {data_directory: /srv/r, port: 0}
        action: explode
        """.utf8), file: testFile)
    let lines = result.diagnostics.compactMap(\.location).map { [$0.line, $0.column] }
    #expect(lines == lines.sorted { ($0[0], $0[1]) < ($1[0], $1[1]) })
    #expect(result.diagnostics.count == 5)
  }
}
