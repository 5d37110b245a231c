import Compiler
import PlanModel
import Testing
import WAL
import _PITRTestSupport

@Suite struct TimelineCheckTests {
  private func plan(_ repository: SyntheticRepository, timeline: String) -> MarkedText {
    MarkedText(
      """
      version: 1
      backups:
        base: \(repository.base)
        wal: \(repository.wal)
      target:
        1️⃣latest: true
        timeline: \(timeline)
      destination:
        data_directory: /srv/data
        port: 5599
        os_user: postgres
      action: promote

      """)
  }

  private func firstError(_ marked: MarkedText, _ repository: SyntheticRepository) -> Diagnostic? {
    compile(marked.text, base: repository.base, wal: [repository.wal])?.diagnostics.first { $0.severity == .error }
  }

  @Test func numberedTimelineNeedsItsHistoryFile() throws {
    let repository = try SyntheticRepository(events: [.commit(700)])
    defer { repository.remove() }
    let marked = plan(repository, timeline: "3")
    let error = try #require(firstError(marked, repository))
    #expect(error.location == marked.location("1️⃣", file: "plans/test.yaml"))
    #expect(
      error.message
        == "timeline 3 has no history file (00000003.history) in the archive: PostgreSQL would "
        + "fail with \"recovery target timeline 3 does not exist\"; use 'timeline: current' or one of 1")
  }

  @Test func strayHistoryFileBreaksLatestAndSaysSo() throws {
    // The backup's checkpoint (0/200060) is after timeline 2 forked (0/100000).
    let repository = try SyntheticRepository(events: [.commit(700)])
    defer { repository.remove() }
    try repository.fixture.writeHistory(timeline: 2, [(1, "0/100000", "no recovery target specified")])
    let error = try #require(firstError(plan(repository, timeline: "latest"), repository))
    #expect(
      error.message
        == "with 'timeline: latest' PostgreSQL would follow timeline 2, which forked from timeline "
        + "1 at 0/100000, not on this backup's history (its checkpoint is 0/200060 on timeline 1); "
        + "the restore would fail with \"requested timeline 2 is not a child of this server's "
        + "history\". Use 'timeline: current' (or 1)")
    let notChild = try #require(firstError(plan(repository, timeline: "2"), repository))
    #expect(
      notChild.message
        == "timeline 2 does not descend from backup b1 (checkpoint 0/200060 on timeline 1): "
        + "PostgreSQL would fail with \"requested timeline 2 is not a child of this server's "
        + "history\"; use 'timeline: current'")
    #expect(compile(plan(repository, timeline: "current").text, base: repository.base, wal: [repository.wal])?.compiled != nil)
  }
}
