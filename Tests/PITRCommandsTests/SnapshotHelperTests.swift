import Testing
import _PITRTestSupport

/// The golden-file helper's own output: the diff a mismatch shows and the normalisation.
@Suite struct SnapshotHelperTests {
  @Test func aChangedLineIsShownWithThreeLinesOfContext() {
    let old = "a\nb\nc\nd\ne\nf\ng\nh\n"
    let new = "a\nb\nc\nd\nE\nf\ng\nh\n"
    #expect(
      unifiedDiff(expected: old, actual: new, expectedName: "Snapshots/x.txt") == """
        --- Snapshots/x.txt
        +++ output
        @@ -2,7 +2,7 @@
         b
         c
         d
        -e
        +E
         f
         g
         h

        """)
  }

  @Test func addedLinesAtTheEndAndLongChangesAreCut() {
    let diff = unifiedDiff(expected: "a\n", actual: "a\n1\n2\n3\n", expectedName: "x", limit: 2)
    let lines = ["--- x", "+++ output", "@@ -1,2 +1,5 @@", " a", "+1", "+2", "+… 1 more lines", " "]
    #expect(diff == lines.joined(separator: "\n") + "\n")
  }

  @Test func normalisationReplacesFoldersAndMasksMachineDependentKeys() {
    let normalization = SnapshotNormalization(
      replacements: [("/tmp/pitr-tests-catalog-1A2B", "/TMP")], machineDependentKeys: ["catalogFingerprint"])
    let text = "{\r\n  \"catalogFingerprint\" : \"ab12\",\r\n  \"path\" : \"/tmp/pitr-tests-catalog-1A2B/lab\"\r\n}\r\n"
    #expect(
      normalization.apply(to: text)
        == "{\n  \"catalogFingerprint\" : \"<machine-dependent>\",\n  \"path\" : \"/TMP/lab\"\n}\n")
  }
}
