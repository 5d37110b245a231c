import PlanLoading
import Testing
import _PITRTestSupport

@Suite struct PathTests {
  @Test func relativePathIsRejected() {
    expectDiagnostics(
      SamplePlan.base.replacing("data_directory: /srv/pg/restore", with: "data_directory: 1️⃣restore"),
      [
        .error(
          "1️⃣",
          "'destination.data_directory' must be an absolute path, not 'restore'; write it from "
            + "the root, such as /srv/pg/restore")
      ])
  }

  @Test func dataDirectoryInsideBaseBackups() {
    expectDiagnostics(
      """
      version: 1
      backups:
        base: 2️⃣/backups/base
        wal: /backups/wal
      target: {latest: true}
      destination:
        data_directory: 1️⃣/backups/base/restore
        port: 5599
      action: promote
      """,
      [
        .error(
          "1️⃣",
          "'destination.data_directory' (/backups/base/restore) is inside 'backups.base' "
            + "(/backups/base); a restore writes there, so choose a directory apart from the backups",
          notes: ["'backups.base' is set here"])
      ])
  }

  @Test func dataDirectoryEqualToAWALFolderAfterNormalizing() {
    expectDiagnostics(
      """
      version: 1
      backups:
        base: /backups/base
        wal: [/backups/wal, /backups/wal-promoted]
      target: {latest: true}
      destination:
        data_directory: 1️⃣/backups/./wal-promoted/
        port: 5599
      action: promote
      """,
      [
        .error(
          "1️⃣",
          "'destination.data_directory' (/backups/wal-promoted) is the same directory as "
            + "'backups.wal' (/backups/wal-promoted); a restore writes there, so choose a "
            + "directory apart from the backups", notes: ["'backups.wal' is set here"])
      ])
  }

  @Test func dataDirectoryContainingTheBackups() {
    expectDiagnostics(
      """
      version: 1
      backups:
        base: /srv/pg/backups
        wal: /archive
      target: {latest: true}
      destination:
        data_directory: 1️⃣/srv/pg
        port: 5599
      action: promote
      """,
      [
        .error(
          "1️⃣",
          "'destination.data_directory' (/srv/pg) contains 'backups.base' (/srv/pg/backups); a "
            + "restore writes there, so choose a directory apart from the backups",
          notes: ["'backups.base' is set here"])
      ])
  }

  @Test func similarPrefixIsNotInside() {
    let plan = loadValidPlan(
      SamplePlan.base.replacing("data_directory: /srv/pg/restore", with: "data_directory: /backups/base2"))
    #expect(plan?.destination.dataDirectory.value == "/backups/base2")
  }

  @Test func tablespaceLocationsAreCheckedToo() {
    expectDiagnostics(
      SamplePlan.base.replacing(
        "port: 5599", with: "port: 5599\n  tablespaces:\n    \"16390\": 1️⃣/backups/wal/ts"),
      [
        .error(
          "1️⃣",
          "'destination.tablespaces' (/backups/wal/ts) is inside 'backups.wal' (/backups/wal); a "
            + "restore writes there, so choose a directory apart from the backups",
          notes: ["'backups.wal' is set here"])
      ])
  }

  @Test func walListMustNotBeEmpty() {
    expectDiagnostics(
      SamplePlan.base.replacing("wal: /backups/wal", with: "wal: 1️⃣[]"),
      [.error("1️⃣", "'backups.wal' is empty; add at least one item or remove the key")])
  }
}
