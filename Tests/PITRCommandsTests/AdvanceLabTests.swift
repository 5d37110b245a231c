import Foundation
import Testing
import _PITRTestSupport

/// `pitr advance` and applying twice, on a real server: a lab with one row committed between
/// restore points and transactions, restored paused at the first, then moved forward three
/// times (a restore point, a transaction, an LSN) with the rows checked each time; going
/// back refused; the same plan applied again does nothing; a plan whose target is later
/// offers the advance; a promoted or stopped restore cannot be advanced.
@Suite(.tags(.integration), .enabled(if: PostgresLab.isAvailable))
struct AdvanceLabTests {
  /// The lab: table `t`, a base backup, then rows 1 … 5, each committed alone, with restore
  /// points and the positions the tests move to.
  struct Lab {
    let lab: PostgresLab
    /// The transaction that inserted row 3.
    let xid3: String
    /// `pg_current_wal_insert_lsn()` after row 4 committed.
    let lsn4: String
    /// The transaction that inserted row 5.
    let xid5: String

    init() throws {
      lab = try PostgresLab(name: "advance", archive: .gzipFlat)
      do {
        try lab.sql("CREATE TABLE t (i int)")
        _ = try lab.baseBackup(into: "b", format: .tar(compression: .serverGzip), wal: .stream, label: "b")
        try lab.sql("INSERT INTO t VALUES (1)")
        try lab.sql("SELECT pg_create_restore_point('p1')")
        try lab.sql("INSERT INTO t VALUES (2)")
        try lab.sql("SELECT pg_create_restore_point('p2')")
        xid3 = try lab.sql("INSERT INTO t VALUES (3) RETURNING txid_current()")
        try lab.sql("INSERT INTO t VALUES (4)")
        lsn4 = try lab.sql("SELECT pg_current_wal_insert_lsn()")
        xid5 = try lab.sql("INSERT INTO t VALUES (5) RETURNING txid_current()")
        try lab.sql("SELECT pg_create_restore_point('p3')")
        _ = try lab.switchWAL()
        try lab.stop()
      } catch {
        lab.remove()
        throw error
      }
    }

    /// A plan restoring into `sandbox` to `target`, with a check that holds at every target.
    func plan(_ target: String, into sandbox: RestoreSandbox, action: String = "pause", name: String = "plan.yaml")
      throws -> String
    {
      try lab.directory.write(
        """
        version: 1
        backups:
          base: \(lab.backupsDirectory)
          wal: \(lab.archiveDirectory)
        target:
          \(target)
        destination:
          data_directory: \(sandbox.dataDirectory)
          port: \(sandbox.port)
          os_user: postgres
        action: \(action)
        verify:
          - name: the table has rows
            sql: SELECT count(*) > 0 FROM t
            expect: "t"

        """, to: name)
    }
  }

  private func rows(_ sandbox: RestoreSandbox) throws -> String {
    try sandbox.sql("SELECT string_agg(i::text, ',' ORDER BY i) FROM t")
  }

  @Test func advanceThreeTimesThenRefuseToGoBackAndConverge() throws {
    let setup = try Lab()
    defer { setup.lab.remove() }
    let sandbox = try RestoreSandbox(in: setup.lab.directory.path, name: "adv")
    defer { sandbox.remove() }
    let data = sandbox.dataDirectory
    let plan = try setup.plan("name: p1", into: sandbox)

    let applied = try pitr("apply", plan, "--yes", "--no-cache", timeout: 180)
    #expect(applied.status == 0, "\(applied.standardError)")
    #expect(try rows(sandbox) == "1")

    // The same plan again: nothing to do.
    let again = try pitr("apply", plan, "--yes", timeout: 60)
    #expect(again.status == 0, "\(again.standardError)")
    #expect(
      again.standardOutput
        == "\(data) already holds the restore of \(plan), its server paused at the target; nothing to do.\n")
    let json = try pitr("apply", plan, "--yes", "--json", timeout: 60)
    #expect(json.status == 0)
    try JSONSchemaValidator.expectLines(json.standardOutput, conformTo: "apply-events.schema.json")
    let event = try #require(JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
    #expect(event["outcome"] as? String == "unchanged")
    #expect(
      event["exitReason"] as? String
        == "\(data) already holds the restore of \(plan), its server paused at the target; nothing to do")

    // The dry run of an advance: the steps, nothing extracted.
    let dry = try pitr("plan", plan, "--advance-to", "name=p2", timeout: 60)
    #expect(dry.status == 0, "\(dry.standardError)")
    #expect(dry.standardOutput.contains("stop-paused-server"))
    #expect(!dry.standardOutput.contains("extract-base"))

    // Three advances: a restore point, a transaction, an LSN.
    for (target, expected) in [("name=p2", "1,2"), ("xid=\(setup.xid3)", "1,2,3"), ("lsn=\(setup.lsn4)", "1,2,3,4")] {
      let advanced = try pitr("advance", plan, "--to", target, "--yes", timeout: 180)
      #expect(advanced.status == 0, "\(target): \(advanced.standardError)\(advanced.standardOutput)")
      #expect(
        advanced.standardOutput.contains("Advanced: the server is paused at the target"), "\(advanced.standardOutput)")
      #expect(advanced.standardOutput.contains("PostgreSQL stopped where pitr predicted"), "\(advanced.standardOutput)")
      #expect(advanced.standardOutput.contains("check passed: the table has rows"))
      #expect(try rows(sandbox) == expected, "after advancing to \(target)")
      #expect(try sandbox.sql("SELECT pg_get_wal_replay_pause_state()") == "paused")
    }
    #expect(!sandbox.serverLog.contains("recovery stopping at restore point \"p1\""), "the log starts afresh")

    // Back to p2: refused, saying why and how to restore afresh.
    let replayed = try sandbox.sql("SELECT pg_last_wal_replay_lsn()")
    let lastTime = try sandbox.sql("SELECT pg_last_xact_replay_timestamp()")
    let logged = try #require(
      sandbox.serverLog.split(separator: "\n").first { $0.contains("recovery stopping") }.map {
        String($0[$0.range(of: "recovery stopping")!.lowerBound...])
      })
    let dryBack = try pitr("plan", plan, "--advance-to", "name=p2", "--format", "json", timeout: 60)
    let compiledBack = try #require(
      JSONSerialization.jsonObject(with: Data(dryBack.standardOutput.utf8)) as? [String: Any])
    let stopP2 = try #require((compiledBack["prediction"] as? [String: Any])?["stopLSN"] as? String)
    let back = try pitr("advance", plan, "--to", "name=p2", "--yes", timeout: 60)
    #expect(back.status == 2)
    #expect(
      back.standardError
        == "pitr: error: the target name=p2 stops at \(stopP2), before where the restore in \(data) is paused: "
        + "\(replayed) (\(logged)), last transaction replayed at \(lastTime); recovery only moves forward and "
        + "cannot undo what it replayed: to go back, restore afresh with that target in the plan (stop this "
        + "server with pg_ctl -D \(data) stop, remove \(data) and \(data).pitr, then run pitr apply \(plan))\n")
    #expect(try rows(sandbox) == "1,2,3,4", "nothing changed")

    // pitr status tells the advances.
    let status = try pitr("status", plan, timeout: 60)
    #expect(status.status == 0, "\(status.standardError)")
    #expect(
      status.standardOutput.contains("  advanced to name=p2 (pitr advance): done, from "), "\(status.standardOutput)")
    #expect(status.standardOutput.contains("  server: running, paused, replayed up to \(replayed)\n"))

    // The first plan again: it was advanced past its target.
    let after = try pitr("apply", plan, "--yes", timeout: 60)
    #expect(after.status == 0)
    #expect(
      after.standardOutput
        == "\(data) holds the restore of \(plan), advanced since with pitr advance to lsn=\(setup.lsn4) "
        + "(paused there); nothing to do.\n")

    // A plan with a later target: apply offers the advance, which then works.
    let later = try setup.plan("xid: \(setup.xid5)", into: sandbox, name: "later.yaml")
    let offered = try pitr("apply", later, "--yes", timeout: 60)
    #expect(offered.status == 2)
    #expect(
      offered.standardError
        == "pitr: error: \(data) holds a restore paused at \(replayed) (\(logged)); this plan's target is later: "
        + "move it forward without restoring again with: pitr advance \(later) --to xid=\(setup.xid5)\n")
    let fourth = try pitr("advance", later, "--to", "xid=\(setup.xid5)", "--yes", timeout: 180)
    #expect(fourth.status == 0, "\(fourth.standardError)")
    #expect(try rows(sandbox) == "1,2,3,4,5")

    // Stopped: not advanced.
    sandbox.stopServer()
    let stopped = try pitr("advance", later, "--to", "name=p3", "--yes", timeout: 60)
    #expect(stopped.status == 1)
    #expect(
      stopped.standardError
        == "pitr: error: the server of \(data) is not running; pitr advance moves a server paused at its "
        + "target: start it (pg_ctl -D \(data) -l \(data).pitr/server.log start), wait until pitr status "
        + "\(later) says it is paused, then run pitr advance again\n")
  }

  @Test func aPromotedRestoreIsNotAdvanced() throws {
    let setup = try Lab()
    defer { setup.lab.remove() }
    let sandbox = try RestoreSandbox(in: setup.lab.directory.path, name: "prom")
    defer { sandbox.remove() }
    let plan = try setup.plan("name: p1", into: sandbox, action: "promote")
    let applied = try pitr("apply", plan, "--yes", "--no-cache", timeout: 180)
    #expect(applied.status == 0, "\(applied.standardError)")

    let again = try pitr("apply", plan, "--yes", timeout: 60)
    #expect(again.status == 0)
    #expect(
      again.standardOutput
        == "\(sandbox.dataDirectory) already holds the restore of \(plan), its server promoted; nothing to do.\n")

    let advanced = try pitr("advance", plan, "--to", "name=p2", "--yes", timeout: 60)
    #expect(advanced.status == 1)
    #expect(
      advanced.standardError
        == "pitr: error: the server of \(sandbox.dataDirectory) was promoted (it is no longer recovering); "
        + "recovery ends at a promotion, so it cannot move forward: restore afresh with the later target "
        + "(pitr apply \(plan), into an empty destination.data_directory)\n")
    #expect(try rows(sandbox) == "1")
  }
}
