import Testing
import _PITRTestSupport

/// The lab's text helpers: LSNs, `pg_waldump` lines, and what recovery settings ask for.
@Suite struct PostgresLabParsingTests {
  @Test func readsAndPrintsLSNs() {
    #expect(PostgresLab.lsn("0/3008198") == 0x300_8198)
    #expect(PostgresLab.lsn("0/03008198") == 0x300_8198)
    #expect(PostgresLab.lsn("1A/FF") == 0x1A_0000_00FF)
    #expect(PostgresLab.lsn("0/") == nil)
    #expect(PostgresLab.lsn("3008198") == nil)
    #expect(PostgresLab.lsn("0/123456789") == nil)
    #expect(PostgresLab.lsnText(0x1A_0300_8198) == "1A/3008198")
  }

  @Test func readsWaldumpLines() throws {
    let commit = try #require(
      PostgresLab.WaldumpRecord(
        line: "rmgr: Transaction len (rec/tot):     34/    34, tx:        727, "
          + "lsn: 0/03002FA8, prev 0/03002E68, desc: COMMIT 2026-11-22 16:44:12.996732 UTC"))
    #expect(commit.resourceManager == "Transaction")
    #expect(commit.recordLength == 34 && commit.totalLength == 34)
    #expect(commit.transactionID == 727)
    #expect(commit.lsn == 0x300_2FA8 && commit.previousLSN == 0x300_2E68)
    #expect(commit.isCommit)
    #expect(commit.transactionTime == "2026-11-22 16:44:12.996732 UTC")

    let insert = try #require(
      PostgresLab.WaldumpRecord(
        line: "rmgr: Heap        len (rec/tot):     54/   738, tx:        740, lsn: 0/03007100, "
          + "prev 0/030050F0, desc: INSERT off 11 flags 0x00, blkref #0: rel 1663/16384/16386 "
          + "blk 0 FPW"))
    #expect(insert.resourceManager == "Heap" && insert.totalLength == 738)
    #expect(insert.description.hasPrefix("INSERT off 11"))
    #expect(insert.transactionTime == nil && !insert.isCommit)

    let withDetails = try #require(
      PostgresLab.WaldumpRecord(
        line: "rmgr: Transaction len (rec/tot):    469/   469, tx:        731, lsn: 0/01A7B3C8, "
          + "prev 0/01A7B390, desc: COMMIT 2026-11-22 16:44:12.000001 UTC; inval msgs: catcache 7"))
    #expect(withDetails.transactionTime == "2026-11-22 16:44:12.000001 UTC")
    #expect(PostgresLab.WaldumpRecord(line: "pg_waldump: error: error in WAL record") == nil)
  }

  @Test func tellsHowRecoveryShouldEnd() {
    #expect(PostgresLab.RecoveryEnd.expected(for: [:]) == .promoted)
    #expect(PostgresLab.RecoveryEnd.expected(for: ["recovery_target_name": "x"]) == .paused)
    #expect(
      PostgresLab.RecoveryEnd.expected(
        for: ["recovery_target_xid": "7", "recovery_target_action": "promote"]) == .promoted)
    #expect(
      PostgresLab.RecoveryEnd.expected(
        for: ["recovery_target": "immediate", "recovery_target_action": "shutdown"])
        == .shutDown)
  }

  @Test func namesHistoryFiles() {
    #expect(PostgresLab.Archive.historyFileName(timeline: 2) == "00000002.history")
    #expect(PostgresLab.Archive.historyFileName(timeline: 0x1F) == "0000001F.history")
  }
}
