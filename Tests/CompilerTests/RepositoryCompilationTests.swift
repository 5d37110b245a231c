import Compiler
import Foundation
import PlanLoading
import PlanModel
import Testing
import _PITRTestSupport

/// `PlanCompiler.compile(_:planText:environment:useCache:)`, what the commands call: the
/// plan's folders checked through the environment, the catalog scanned, its errors shown as
/// warnings.
@Suite struct RepositoryCompilationTests {
  private func load(_ marked: MarkedText) throws -> Plan {
    let loaded = PlanLoader(environment: [:]).load(bytes: Array(marked.text.utf8), file: "plans/test.yaml")
    return try #require(loaded.plan)
  }

  @Test func foldersThatAreNotFoldersAreErrorsAtTheirKeys() throws {
    let repository = try SyntheticRepository(events: [.commit(700)])
    defer { repository.remove() }
    let marked = markedPlan(repository, target: "  xid: 700")
    var environment = FixedEnvironment()
    environment.directories[repository.base] = .file
    let outcome = PlanCompiler.compile(
      try load(marked), planText: marked.text, environment: environment, useCache: false)
    #expect(outcome.catalog == nil)
    #expect(outcome.compilation.compiled == nil)
    #expect(outcome.compilation.diagnostics.map(\.severity) == [.error, .error])
    #expect(outcome.compilation.diagnostics.map(\.location) == [marked.at("8️⃣"), marked.at("9️⃣")])
    #expect(
      outcome.compilation.diagnostics.map(\.message) == [
        "'\(repository.base)' is not a folder on this machine",
        "'\(repository.wal)' is not a folder on this machine",
      ])
  }

  @Test func catalogErrorsBecomeWarningsAheadOfTheCompilersOwn() throws {
    let repository = try SyntheticRepository(events: [.commit(700)])
    defer { repository.remove() }
    let stray = try repository.fixture.write(Array("not WAL".utf8), to: repository.wal + "/0000000100000000000000F0")
    let marked = markedPlan(repository, target: "  xid: 700")
    var environment = FixedEnvironment()
    environment.directories[repository.base] = .notEmpty(entries: 1, isDataDirectory: false, running: false)
    environment.directories[repository.wal] = .notEmpty(entries: 4, isDataDirectory: false, running: false)
    let outcome = PlanCompiler.compile(
      try load(marked), planText: marked.text, environment: environment, useCache: false)
    let catalog = try #require(outcome.catalog)
    #expect(catalog.diagnostics.map(\.severity) == [.error])
    #expect(outcome.compilation.compiled?.backup.id == "b1")
    let first = try #require(outcome.compilation.diagnostics.first)
    #expect(first.severity == .warning)
    #expect(first.location == .file(stray))
    #expect(first.message == catalog.diagnostics[0].message)
    #expect(first.message.hasPrefix("named like a WAL segment, but "))
    #expect(!outcome.compilation.diagnostics.hasErrors)
  }
}

/// S3 and SSH locations are read through their stores: nothing refuses them at compile time
/// (the run's stores report an unusable one, at its key, before the catalog lists it).
@Suite struct RemoteLocationCompilationTests {
  @Test func s3AndSSHLocationsAreNoLongerRefused() throws {
    let text = """
      version: 1
      backups:
        base: s3://pg-backups/base
        wal: [ssh://archive/srv/wal, s3://pg-backups/wal]
      target: {latest: true}
      destination: {data_directory: /srv/pg/restore, port: 5599}
      action: promote
      """
    let plan = try #require(PlanLoader(environment: [:]).load(bytes: Array(text.utf8), file: "plans/test.yaml").plan)
    #expect(PlanCompiler.unreadableLocations(plan.backups).isEmpty)
  }
}
