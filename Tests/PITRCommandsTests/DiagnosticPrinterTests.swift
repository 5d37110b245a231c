import PITRCommands
import PlanLoading
import PlanModel
import Testing

@Suite struct DiagnosticPrinterTests {
  private let source = SourceText(
    file: "plans/x.yaml", text: "version: 1\ndestination:\n\tprot: 5599\n  port: ñ1\n")

  @Test func errorWithSourceLineCaretAndNotes() {
    let diagnostic = Diagnostic.error(
      "unknown key 'prot'", at: SourceLocation(file: "plans/x.yaml", line: 3, column: 2),
      notes: [
        .init("did you mean 'port'?"),
        .init("'destination' is here", at: SourceLocation(file: "plans/x.yaml", line: 2, column: 1)),
      ])
    let text = DiagnosticPrinter(useColor: false).render(diagnostic, source: source)
    #expect(
      text == """
        plans/x.yaml:3:2: error: unknown key 'prot'
          \tprot: 5599
          \t^
        note: did you mean 'port'?
        plans/x.yaml:2:1: note: 'destination' is here

        """)
  }

  @Test func caretCountsCharactersNotBytes() {
    let diagnostic = Diagnostic.error(
      "bad", at: SourceLocation(file: "plans/x.yaml", line: 4, column: 10))
    let text = DiagnosticPrinter(useColor: false).render(diagnostic, source: source)
    #expect(text.hasSuffix("    port: ñ1\n           ^\n"))
  }

  /// A plan refused for a password in its conninfo must not print the password.
  @Test func passwordsInTheExcerptAreMasked() {
    let lines = [
      "  conninfo: \"host=db password=s3cret port=5432\"",
      "  conninfo: \"host=db password = 'my s3\\'cret' sslpassword=k\"",
      "  conninfo: postgresql://alice:s3cret@db:5432/app?sslmode=require&password=two",
      "  conninfo: 'postgres://:only@db/app'",
    ]
    let source = SourceText(file: "p.yaml", text: lines.joined(separator: "\n") + "\n")
    let printer = DiagnosticPrinter(useColor: false)
    let excerpts = lines.indices.map { index in
      printer.render(
        Diagnostic.error("bad", at: SourceLocation(file: "p.yaml", line: index + 1, column: 13)),
        source: source
      ).split(separator: "\n")[1]
    }
    #expect(
      excerpts == [
        "    conninfo: \"host=db password=****** port=5432\"",
        "    conninfo: \"host=db password = ************* sslpassword=*\"",
        "    conninfo: postgresql://alice:******@db:5432/app?sslmode=require&password=***",
        "    conninfo: 'postgres://:****@db/app'",
      ])
    // The caret stays under the column it points at.
    let text = printer.render(
      Diagnostic.error("bad", at: SourceLocation(file: "p.yaml", line: 1, column: 29)), source: source)
    #expect(text.split(separator: "\n")[2] == String(repeating: " ", count: 30) + "^")
  }

  @Test func unlocatedDiagnosticNamesTheTool() {
    let text = DiagnosticPrinter(useColor: false).render(
      Diagnostic.warning("something odd", at: nil), source: nil)
    #expect(text == "pitr: warning: something odd\n")
  }

  @Test func colourWrapsTheLabels() {
    let text = DiagnosticPrinter(useColor: true).render(
      Diagnostic.error("bad", at: nil), source: nil)
    #expect(text == "\u{1B}[1mpitr: \u{1B}[0m\u{1B}[1;31merror:\u{1B}[0m \u{1B}[1mbad\u{1B}[0m\n")
  }

  @Test func jsonHasTheFields() {
    let json = DiagnosticPrinter.json([
      .error(
        "bad", at: SourceLocation(file: "f.yaml", line: 2, column: 3),
        notes: [.init("hint")])
    ])
    #expect(
      json == """
        [
          {
            "column" : 3,
            "file" : "f.yaml",
            "line" : 2,
            "message" : "bad",
            "notes" : [
              {
                "message" : "hint"
              }
            ],
            "severity" : "error"
          }
        ]

        """)
  }
}
