import Foundation
import PostgresVocabulary
import Testing
import _PITRTestSupport

/// `pitr catalog --format svg` and `pitr plan --format svg` over a real repository with a
/// timeline switch (``TimelineForkScenario``).
@Suite(.tags(.integration), .enabled(if: PostgresLab.isAvailable))
struct PictureCommandTests {
  @Test func drawsBothTimelinesTheForkTheRestorePointsAndThePlansStop() throws {
    let lab = try PostgresLab(name: "picture-fork", archive: .gzipFlat)
    defer { lab.remove() }
    let scenario = try TimelineForkScenario.run(in: lab)

    let catalogFile = lab.directory.file("catalog.svg")
    let catalog = try pitr(
      "catalog", "--base", lab.backupsDirectory, "--wal", lab.archiveDirectory, "--no-cache",
      "--format", "svg", "--out", catalogFile, timeout: 120)
    #expect(catalog.status == 0, "\(catalog.standardError)")
    #expect(catalog.standardOutput.isEmpty)
    let picture = try SVGDocument(String(contentsOfFile: catalogFile, encoding: .utf8))
    #expect(picture.elements(class: "lane").map { $0["data-timeline"] } == ["1", "2"])
    let fork = try #require(picture.elements(class: "fork").first)
    #expect(fork["data-parent"] == "1" && fork["data-timeline"] == "2")
    #expect(fork["data-lsn"].flatMap { LSN($0) } == LSN(scenario.switchLSN))
    #expect(
      picture.elements(class: "restore-point").map { "\($0["data-timeline"] ?? "") \($0["data-name"] ?? "")" }
        == ["1 before-fork", "1 fork", "1 abandoned", "2 after-fork"])
    #expect(picture.elements(class: "backup").map { $0["data-backup"] } == ["fork"])
    #expect(picture.elements(class: "gap").isEmpty)

    // On standard output without --out; --json and another --format are refused.
    let printed = try pitr(
      "catalog", "--base", lab.backupsDirectory, "--wal", lab.archiveDirectory, "--format", "svg", timeout: 120)
    #expect(printed.standardOutput == (try String(contentsOfFile: catalogFile, encoding: .utf8)))
    let both = try pitr(
      "catalog", "--base", lab.backupsDirectory, "--wal", lab.archiveDirectory, "--json", "--format", "svg")
    #expect(both.status == 64)
    #expect(
      both.standardError.contains("--json and --format svg ask for two outputs: give one"), "\(both.standardError)")

    let planPath = try writeLabPlan(lab, target: "  name: after-fork\n  timeline: 2")
    let planFile = lab.directory.file("plan.svg")
    let plan = try pitr("plan", planPath, "--no-cache", "--format", "svg", "--out", planFile, timeout: 120)
    #expect(plan.status == 0, "\(plan.standardError)")
    let planPicture = try SVGDocument(String(contentsOfFile: planFile, encoding: .utf8))
    let target = try #require(planPicture.element(id: "target"))
    let stop = try #require(planPicture.element(id: "stop"))
    #expect(target.text == "target: recovery_target_name = 'after-fork', timeline 2")
    #expect(stop.text.hasPrefix("predicted stop: recovery stopping at restore point \"after-fork\""), "\(stop.text)")
    let afterFork = try #require(planPicture.elements(class: "restore-point").first { $0["data-name"] == "after-fork" })
    let markX = afterFork.children.first { $0.name == "line" }?["x1"]
    #expect(stop.children.first { $0.name == "line" }?["x1"] == markX)
    #expect(planPicture.elements(class: "backup chosen").map { $0["data-backup"] } == ["fork"])
    // To look at them: PITR_KEEP_PICTURES=DIR keeps copies (lab-catalog.svg, lab-plan.svg).
    if let keep = ProcessInfo.processInfo.environment["PITR_KEEP_PICTURES"] {
      for file in [catalogFile, planFile] {
        try? FileManager.default.removeItem(atPath: "\(keep)/lab-\((file as NSString).lastPathComponent)")
        try FileManager.default.copyItem(atPath: file, toPath: "\(keep)/lab-\((file as NSString).lastPathComponent)")
      }
    }
  }
}
