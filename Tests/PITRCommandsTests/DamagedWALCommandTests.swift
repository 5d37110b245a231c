import Foundation
import PostgresVocabulary
import Testing
import WAL
import _PITRTestSupport

/// What `pitr catalog` and `pitr wal find` say of a record that does not decode in the
/// middle of the archived WAL: the window ends there, and the search says where and why the
/// WAL stops being readable instead of calling it the end of the WAL.
@Suite struct DamagedWALCommandTests {
  /// Backup b1 (consistent at 0/200100), commit 700 in segment 2, 701 and 702 in segment 3,
  /// 703 in segment 4, WAL to segment 5; commit 702's record has a flipped byte.
  struct Repository {
    let fixture: RepositoryFixture
    var commits: [LSN] = []

    init() throws {
      fixture = try RepositoryFixture()
      try fixture.writeBackup(.init(id: "b1"))
      var builder = WALSegmentBuilder(
        major: 15, segmentSize: RepositoryFixture.segmentSize,
        systemIdentifier: RepositoryFixture.systemIdentifier, startSegment: 2)
      let start = PostgresTimestamp(microsecondsSince2000: 819_910_800_000_000)  // 2025-12-24 17:00:00+00
      func commit(_ xid: UInt32) -> LSN {
        let time = PostgresTimestamp(microsecondsSince2000: start.microsecondsSince2000 + Int64(xid - 699) * 60_000_000)
        return builder.append(.commit(xid: xid, WALTransactionEndSpec(time: time)))
      }
      builder.pad(to: LSN("0/200100")!)
      commits.append(commit(700))
      builder.pad(to: LSN("0/300100")!)
      commits.append(commit(701))
      commits.append(commit(702))
      builder.pad(to: LSN("0/400100")!)
      commits.append(commit(703))
      builder.append(.filler(totalLength: 1 << 20))
      builder.append(.switchSegment())
      let at = LSN(rawValue: commits[2].rawValue + 24)
      builder.patch([builder.bytes(at: at, count: 1)[0] ^ 0x01], at: at)
      try builder.write(to: fixture.wal, compressed: true)
    }

    var damagedPath: String { "\(fixture.wal)/000000010000000000000003.gz" }
  }

  @Test func catalogShowsTheWindowEndingAtTheDamage() throws {
    let repository = try Repository()
    defer { repository.fixture.remove() }
    let fixture = repository.fixture
    let result = try pitr("catalog", "--base", fixture.base, "--wal", fixture.wal, "--no-cache")
    #expect(result.status == 0)
    let windows = try #require(result.standardOutput.range(of: "Restorable windows\n"))
    let damaged = repository.commits[2]
    #expect(
      result.standardOutput[windows.lowerBound...] == """
        Restorable windows
          BACKUP  TIMELINE    FROM      TO                                             STATUS
          b1      1 (latest)  0/200100  \(damaged) (last commit 2025-12-24 17:02:00+00)  restorable, then 000000010000000000000003 is damaged at \(damaged): record checksum (CRC-32C) mismatch

        """)

    let json = try pitr("catalog", "--json", "--base", fixture.base, "--wal", fixture.wal, "--no-cache")
    let object = try #require(JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
    let window = try #require((object["windows"] as? [[String: Any]])?.first)
    #expect(window["end"] as? String == "\(damaged)")
    #expect(window["firstMissingSegment"] == nil)
    let damage = try #require(window["damage"] as? [String: String])
    #expect(
      damage == [
        "segment": "000000010000000000000003", "path": repository.damagedPath, "lsn": "\(damaged)",
        "kind": "checksum", "reason": "record checksum (CRC-32C) mismatch",
      ])
  }

  @Test func walFindSaysWhereAndWhyTheWALStopsBeingReadable() throws {
    let repository = try Repository()
    defer { repository.fixture.remove() }
    let result = try pitr("wal", "find", "--wal", repository.fixture.wal, "--kind", "commit")
    #expect(result.status == 0)
    #expect(result.standardOutput.contains("701"))
    #expect(!result.standardOutput.contains("703"))
    #expect(
      result.standardError
        == "pitr: warning: the WAL of timeline 1 stops being readable at \(repository.commits[2]): "
        + "segment 000000010000000000000003 (\(repository.damagedPath)) is damaged: record checksum "
        + "(CRC-32C) mismatch; recovery cannot read past it either, and the 2 archived segments "
        + "after it (to 000000010000000000000005) were not searched\n")

    // JSON Lines: the lines written before the damage are whole and valid (each parsed on
    // its own and checked against the schema), the end line says where and why reading
    // stopped, standard error says it to people too, and the exit status is 0.
    let json = try pitr("wal", "find", "--json", "--wal", repository.fixture.wal)
    #expect(json.status == 0)
    let lines = try WALFindLines.lines(json.standardOutput)
    #expect(
      lines.dropLast().map { "\($0["kind"]!) \($0["transactionID"]!) \($0["lsn"]!)" } == [
        "commit 700 \(repository.commits[0])", "commit 701 \(repository.commits[1])",
      ])
    let object = try #require(lines.last)
    #expect(object["type"] as? String == "end")
    #expect(object["events"] as? Int == 2)
    let damage = try #require(object["damage"] as? [String: Any])
    #expect(damage["lsn"] as? String == "\(repository.commits[2])")
    #expect(damage["laterSegments"] as? Int == 2)
    #expect(damage["path"] as? String == repository.damagedPath)
    #expect(damage["reason"] as? String == "record checksum (CRC-32C) mismatch")
    #expect(json.standardError == result.standardError)
  }
}
