import Foundation

/// A timeline switch with an abandoned branch, run on a ``PostgresLab``: both timelines'
/// copies of the segment holding the switch point are archived, each with restore points.
///
/// On timeline 1: a base backup, then in one WAL segment the restore points `before-fork`
/// and `fork`, a commit and the restore point `abandoned`, and `pg_switch_wal()`. Then a
/// server restored from the backup with `recovery_target_name = 'fork'` promotes: timeline 2
/// begins at the end of the `fork` record, in the same segment; it commits, makes the restore
/// point `after-fork` and switches WAL. So timeline 1's file of that segment holds the
/// abandoned branch after the switch point, and timeline 2's file holds a copy of timeline
/// 1's records up to the switch point, then timeline 2's own. Both servers keep running
/// (``PostgresLab/remove()`` stops them) and archive into the lab's archive.
public struct TimelineForkScenario {
  /// A restore point the scenario made, and what the server said around it.
  public struct RestorePoint: Sendable, Hashable {
    public var name: String
    /// The timeline that wrote it.
    public var timeline: UInt32
    /// What `pg_create_restore_point` returned: the end of its record.
    public var endLSN: String
    /// `clock_timestamp()` just before and just after, as the server prints a `timestamptz`
    /// (UTC in labs): the point's time lies between them.
    public var notBefore: String
    public var notAfter: String
  }

  /// The base backup's folder (tar, WAL streamed).
  public var backupPath: String
  /// The server restored from it that promoted to timeline 2.
  public var clone: PostgresLab.Server
  /// `before-fork`, `fork` (timeline 1, before the switch), `abandoned` (timeline 1, after
  /// it) and `after-fork` (timeline 2), in the order they were made.
  public var restorePoints: [RestorePoint]
  /// Where timeline 2 begins, from `00000002.history`.
  public var switchLSN: String
  /// The segment holding the switch point, on timeline 1 and on timeline 2.
  public var forkWALFileOnTimeline1: String
  public var forkWALFileOnTimeline2: String
  /// The transaction committed on the abandoned branch, and the one committed on timeline 2.
  public var abandonedXid: UInt32
  public var timeline2Xid: UInt32

  /// The restore point named `name`.
  public func restorePoint(_ name: String) -> RestorePoint? {
    restorePoints.first { $0.name == name }
  }

  /// Runs the scenario on `lab`, whose primary must be running on timeline 1.
  ///
  /// - Throws: ``FixtureError`` when a step fails, or when the switch point is not in the
  ///   segment both timelines wrote to.
  public static func run(in lab: PostgresLab) throws -> TimelineForkScenario {
    try lab.sql("CREATE TABLE fork_items (i int)")
    let backupPath = try lab.baseBackup(
      into: "fork", format: .tar(compression: .none), wal: .stream, label: "pitr lab: fork")
    try lab.sql("INSERT INTO fork_items VALUES (1)")
    let beforeFork = try restorePoint("before-fork", on: lab.primary, timeline: 1)
    try lab.sql("INSERT INTO fork_items VALUES (2)")
    let fork = try restorePoint("fork", on: lab.primary, timeline: 1)
    let abandonedXid = try xid(
      lab.sqlSession(["BEGIN", "INSERT INTO fork_items VALUES (3)", "SELECT txid_current()", "COMMIT"]))
    let abandoned = try restorePoint("abandoned", on: lab.primary, timeline: 1)
    let forkWALFileOnTimeline1 = try lab.sql("SELECT pg_walfile_name('\(abandoned.endLSN)')")
    try lab.switchWAL()

    let clone = try lab.restore(
      backup: backupPath,
      recovery: ["recovery_target_name": "fork", "recovery_target_action": "promote"])
    try lab.archive.waitUntilArchived("00000002.history")
    let timeline2Xid = try xid(
      clone.sqlSession(["BEGIN", "INSERT INTO fork_items VALUES (20)", "SELECT txid_current()", "COMMIT"]))
    let afterFork = try restorePoint("after-fork", on: clone, timeline: 2)
    let forkWALFileOnTimeline2 = try clone.sql("SELECT pg_walfile_name('\(afterFork.endLSN)')")
    try clone.switchWAL()

    let historyCopy = try lab.archive.decompressedCopy(
      of: "00000002.history", into: lab.directory.file("scratch/fork"))
    let history = try String(contentsOfFile: historyCopy, encoding: .utf8)
    guard let entry = history.split(separator: "\n").first(where: { $0.hasPrefix("1\t") }),
      let switchLSN = entry.split(separator: "\t").dropFirst().first.map(String.init)
    else {
      throw FixtureError("00000002.history holds no entry for timeline 1: \(history)")
    }
    guard forkWALFileOnTimeline1.dropFirst(8) == forkWALFileOnTimeline2.dropFirst(8),
      forkWALFileOnTimeline1.hasPrefix("00000001"), forkWALFileOnTimeline2.hasPrefix("00000002"),
      try lab.sql("SELECT pg_walfile_name('\(switchLSN)')") == forkWALFileOnTimeline1
    else {
      throw FixtureError(
        "the switch point \(switchLSN) is not in the segment both timelines wrote: "
          + "\(forkWALFileOnTimeline1), \(forkWALFileOnTimeline2)")
    }
    return TimelineForkScenario(
      backupPath: backupPath, clone: clone,
      restorePoints: [beforeFork, fork, abandoned, afterFork], switchLSN: switchLSN,
      forkWALFileOnTimeline1: forkWALFileOnTimeline1,
      forkWALFileOnTimeline2: forkWALFileOnTimeline2, abandonedXid: abandonedXid,
      timeline2Xid: timeline2Xid)
  }

  /// Makes a restore point on `server` between two readings of `clock_timestamp()`.
  private static func restorePoint(
    _ name: String, on server: PostgresLab.Server, timeline: UInt32
  ) throws -> RestorePoint {
    let rows = try server.sqlSession([
      "SELECT clock_timestamp()", "SELECT pg_create_restore_point('\(name)')",
      "SELECT clock_timestamp()",
    ])
    guard rows.count == 3 else { throw FixtureError("pg_create_restore_point printed \(rows)") }
    return RestorePoint(
      name: name, timeline: timeline, endLSN: rows[1], notBefore: rows[0], notAfter: rows[2])
  }

  /// The 32-bit xid `txid_current()` printed (the only row of the session).
  private static func xid(_ rows: [String]) throws -> UInt32 {
    guard rows.count == 1, let value = UInt64(rows[0]) else {
      throw FixtureError("expected one txid_current() row, got \(rows)")
    }
    return UInt32(truncatingIfNeeded: value)
  }
}
