import PlanLoading
import Testing

@Suite struct UnknownKeyTests {
  @Test func topLevelTypoSuggestsTheKey() {
    expectDiagnostics(
      """
      version: 1
      backups: {base: /b, wal: /w}
      target: {latest: true}
      destination: {data_directory: /srv/r, port: 5599}
      action: promote
      1️⃣verfy: []
      """,
      [.error("1️⃣", "unknown key 'verfy' at the top level", notes: ["did you mean 'verify'?"])])
  }

  @Test func unknownKeysAreReportedAtEveryLevel() {
    expectDiagnostics(
      """
      version: 1
      source:
        1️⃣pg_versoin: 15
      backups:
        base: /b
        wal: /w
        2️⃣selector: auto
      target:
        latest: true
        3️⃣timelin: 2
      destination:
        data_directory: /srv/r
        port: 5599
        4️⃣os_usr: postgres
      action: promote
      verify:
        - sql: SELECT 1
          expect: 1
          5️⃣databse: test
      """,
      [
        .error("1️⃣", "unknown key 'pg_versoin' in 'source'", notes: ["did you mean 'pg_version'?"]),
        .error("2️⃣", "unknown key 'selector' in 'backups'", notes: ["did you mean 'select'?"]),
        .error("3️⃣", "unknown key 'timelin' in 'target'", notes: ["did you mean 'timeline'?"]),
        .error("4️⃣", "unknown key 'os_usr' in 'destination'", notes: ["did you mean 'os_user'?"]),
        .error("5️⃣", "unknown key 'databse' in 'verify[0]'", notes: ["did you mean 'database'?"]),
      ])
  }

  @Test func postgresSettingNamesPointAtThePlanKey() {
    expectDiagnostics(
      """
      1️⃣version: 1
      backups: {base: /b, wal: /w}
      2️⃣target:
        3️⃣recovery_target_time: "2025-12-24 17:53:00-07"
      destination: {data_directory: /srv/r, port: 5599}
      4️⃣recovery_target_action: promote
      """,
      [
        .error("1️⃣", "missing required key 'action' at the top level (what happens at the target)"),
        .error(
          "2️⃣", "'target' needs a target: one of 'time', 'name', 'lsn', 'xid', 'immediate', 'latest'"),
        .error(
          "3️⃣",
          "'recovery_target_time' is a PostgreSQL setting, not a plan key; pitr writes it from "
            + "'target.time'", notes: ["did you mean 'time'?"]),
        .error(
          "4️⃣",
          "'recovery_target_action' is a PostgreSQL setting, not a plan key; pitr writes it "
            + "from 'action'", notes: ["did you mean 'action'?"]),
      ])
  }

  @Test func keyOfAnotherSectionSaysWhereItBelongs() {
    expectDiagnostics(
      """
      version: 1
      backups: {base: /b, wal: /w}
      target:
        latest: true
        1️⃣data_directory: /srv/r
      destination: {data_directory: /srv/r, port: 5599}
      action: promote
      """,
      [
        .error(
          "1️⃣", "unknown key 'data_directory' in 'target'",
          notes: ["'data_directory' belongs in 'destination'"])
      ])
  }

  @Test func unrelatedKeyListsTheValidOnes() {
    expectDiagnostics(
      """
      version: 1
      backups:
        base: /b
        wal: /w
        1️⃣compression: gzip
      target: {latest: true}
      destination: {data_directory: /srv/r, port: 5599}
      action: promote
      """,
      [
        .error(
          "1️⃣", "unknown key 'compression' in 'backups'", notes: ["valid keys here: base, wal, select, s3"])
      ])
  }
}
