import PlanLoading
import PlanModel
import Testing
import _PITRTestSupport

/// `backups.base` and `backups.wal` take a local path, `s3://bucket/prefix` or
/// `ssh://[user@]host[:port]/path`, mixed in one plan; each bad URL is a located error with
/// the fix, and a credential in a URL is refused without being repeated.
@Suite struct RepositoryLocationTests {
  private func plan(base: String = "/backups/base", wal: String = "/backups/wal", extra: String = "")
    -> String
  {
    """
    version: 1
    backups:
      base: \(base)
      wal: \(wal)
    \(extra)target: {latest: true}
    destination: {data_directory: /srv/pg/restore, port: 5599}
    action: promote
    """
  }

  @Test func pathsAndURLsMixInOnePlan() {
    let loaded = loadValidPlan(
      plan(
        base: "s3://pg-backups/prod//base/",
        wal: "[/backups/wal/, 'ssh://backup@archive.example:2222/srv/wal/./dated', 'ssh://[::1]/w']"))
    #expect(loaded?.backups.baseLocation.value == .s3(bucket: "pg-backups", prefix: "prod/base"))
    #expect(
      loaded?.backups.walLocations.map(\.value) == [
        .local(path: "/backups/wal"),
        .ssh(user: "backup", host: "archive.example", port: 2222, path: "/srv/wal/dated"),
        .ssh(user: nil, host: "::1", port: nil, path: "/w"),
      ])
    #expect(
      loaded?.backups.wal.map(\.value) == [
        "/backups/wal", "ssh://backup@archive.example:2222/srv/wal/dated", "ssh://[::1]/w",
      ])
    #expect(loaded?.backups.base.value == "s3://pg-backups/prod/base")
    #expect(loaded?.backups.remoteLocations.count == 3)
  }

  @Test func aBucketAloneIsTheWholeBucket() {
    let loaded = loadValidPlan(plan(base: "s3://pg-backups", wal: "S3://pg-backups/wal"))
    #expect(loaded?.backups.baseLocation.value == .s3(bucket: "pg-backups", prefix: ""))
    #expect(loaded?.backups.base.value == "s3://pg-backups")
    #expect(loaded?.backups.wal.first?.value == "s3://pg-backups/wal")
  }

  @Test func locationsRoundTripThroughTheirText() throws {
    for location: RepositoryLocation in [
      .local(path: "/b"), .s3(bucket: "b-1", prefix: "a/b"), .s3(bucket: "b.b", prefix: ""),
      .ssh(user: "u", host: "h", port: 22, path: "/p"), .ssh(user: nil, host: "::1", port: 2, path: "/"),
    ] {
      #expect(RepositoryLocation(canonical: location.description) == location)
    }
  }

  @Test(arguments: [
    (
      "gs://bucket/wal",
      "'backups.wal' uses gs://, which pitr cannot read; give an absolute path, "
        + "s3://bucket/prefix or ssh://[user@]host[:port]/absolute/path"
    ),
    (
      "http://backups.example/wal",
      "'backups.wal' uses http://, which pitr cannot read; give an absolute path, "
        + "s3://bucket/prefix or ssh://[user@]host[:port]/absolute/path"
    ),
    (
      "file:///backups/wal",
      "'backups.wal' uses file://; for a folder on this machine write its path itself, such as "
        + "/backups/wal"
    ),
    ("s3://", "'backups.wal' names no bucket; write s3://bucket/prefix, such as s3://backups/pg/wal"),
    ("s3:///wal", "'backups.wal' names no bucket; write s3://bucket/prefix, such as s3://backups/pg/wal"),
    (
      "s3://My_Bucket/wal",
      "'My_Bucket' in 'backups.wal' is not a bucket name S3 accepts: a bucket name is 3 to 63 "
        + "lower-case letters, digits, '.' and '-', starting and ending with a letter or digit"
    ),
    (
      "s3://ab/wal",
      "'ab' in 'backups.wal' is not a bucket name S3 accepts: a bucket name is 3 to 63 "
        + "lower-case letters, digits, '.' and '-', starting and ending with a letter or digit"
    ),
    (
      "s3://my..bucket/wal",
      "'my..bucket' in 'backups.wal' is not a bucket name S3 accepts: two periods in a row are "
        + "not allowed"
    ),
    (
      "s3://192.168.5.4/wal",
      "'192.168.5.4' in 'backups.wal' is not a bucket name S3 accepts: a bucket name cannot look "
        + "like an IP address"
    ),
    (
      "s3://bucket/wal?versionId=3",
      "'backups.wal' has a query or fragment (after '?' or '#'); write s3://bucket/prefix"
    ),
    (
      "ssh://backup@archive:ssh/srv/wal",
      "'backups.wal' has port 'ssh', which is not a port number (1 to 65535); write "
        + "ssh://archive:2222/path, or leave the port out to use ssh's own (~/.ssh/config, or 22)"
    ),
    (
      "ssh://archive:70000/srv/wal",
      "'backups.wal' has port '70000', which is not a port number (1 to 65535); write "
        + "ssh://archive:2222/path, or leave the port out to use ssh's own (~/.ssh/config, or 22)"
    ),
    (
      "ssh://backup@archive/~/wal",
      "'backups.wal' must name an absolute path on archive, not one in the remote user's home "
        + "('~/wal'); write it from the root, such as ssh://backup@archive/home/backup/wal"
    ),
    (
      "ssh://archive",
      "'backups.wal' names no folder on archive; write the absolute path after the host, such as "
        + "ssh://archive/srv/backups"
    ),
    (
      "ssh:///srv/wal",
      "'backups.wal' names no host; write ssh://[user@]host[:port]/absolute/path, such as "
        + "ssh://backup@backups.example/srv/backups"
    ),
    (
      "archive.example:/srv/wal",
      "'backups.wal' is written as scp writes it; pitr reads a remote folder from a URL: "
        + "ssh://archive.example/srv/wal"
    ),
  ])
  func badLocationIsLocatedWithTheFix(written: String, message: String) {
    expectDiagnostics(plan(wal: "1️⃣\(written)"), [.error("1️⃣", message)])
  }

  @Test func aListEntryIsNamedByItsIndex() {
    expectDiagnostics(
      plan(wal: "[/backups/wal, 1️⃣'gs://b/wal']"),
      [
        .error(
          "1️⃣",
          "'backups.wal[1]' uses gs://, which pitr cannot read; give an absolute path, "
            + "s3://bucket/prefix or ssh://[user@]host[:port]/absolute/path")
      ])
  }

  @Test(arguments: [
    (
      "s3://AKIAEXAMPLEKEY:wJalrXUtnFEMI@pg-backups/base",
      "'backups.base' holds a credential in its URL; a plan never holds secrets (it is committed "
        + "and printed): write s3://bucket/prefix, and pitr reads S3 credentials only from the "
        + "environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN) or "
        + "AWS_PROFILE's shared credentials file"
    ),
    (
      "ssh://backup:hunter2secret@archive/srv/base",
      "'backups.base' holds a password in its URL; a plan never holds secrets (it is committed "
        + "and printed): write ssh://user@host/path, and let ssh authenticate with a key "
        + "(ssh-agent, ~/.ssh/config)"
    ),
  ])
  func aCredentialInAURLIsRefusedWithoutRepeatingIt(written: String, message: String) {
    let result = expectDiagnostics(plan(base: "1️⃣\(written)"), [.error("1️⃣", message)])
    for diagnostic in result.diagnostics {
      let text = diagnostic.message + diagnostic.notes.map(\.message).joined()
      #expect(!text.contains("wJalr") && !text.contains("hunter2") && !text.contains("AKIA"))
    }
  }

  @Test func aCredentialFromTheEnvironmentIsNotRepeatedEither() {
    let result = expectDiagnostics(
      plan(base: "1️⃣s3://${CREDS}@pg-backups/base"), environment: ["CREDS": "AKIAX:s3cr3tvalue"],
      [
        .error(
          "1️⃣",
          "'backups.base' holds a credential in its URL; a plan never holds secrets (it is "
            + "committed and printed): write s3://bucket/prefix, and pitr reads S3 credentials "
            + "only from the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, "
            + "AWS_SESSION_TOKEN) or AWS_PROFILE's shared credentials file")
      ])
    #expect(!result.diagnostics.contains { $0.message.contains("s3cr3t") })
  }

  @Test func theExcerptHidesTheCredential() {
    #expect(
      SecretMask.masked("  base: s3://AKIAKEY:SECRET@pg-backups/base")
        == "  base: s3://**************@pg-backups/base")
    #expect(
      SecretMask.masked("    secret_access_key: wJalrXUtnFEMI") == "    secret_access_key: *************")
    #expect(SecretMask.masked("  wal: ssh://backup:pw@host/w") == "  wal: ssh://backup:**@host/w")
    #expect(
      SecretMask.masked("  s3: {region: eu-west-1, aws_session_token: FQoGZX, path_style: true}")
        == "  s3: {region: eu-west-1, aws_session_token: ******, path_style: true}")
  }

  // MARK: - backups.s3

  @Test func theS3BlockIsRead() {
    let loaded = loadValidPlan(
      plan(
        base: "s3://pg-backups/base",
        extra: "  s3: {endpoint: 'http://127.0.0.1:9000', region: eu-west-1, path_style: true}\n"))
    #expect(loaded?.backups.s3?.endpoint?.value == "http://127.0.0.1:9000")
    #expect(loaded?.backups.s3?.region?.value == "eu-west-1")
    #expect(loaded?.backups.s3?.pathStyle?.value == true)
    #expect(loadValidPlan(plan())?.backups.s3 == nil)
  }

  @Test func theS3BlocksKeysAreChecked() {
    expectDiagnostics(
      plan(
        extra: """
            s3:
              1️⃣endpont: https://minio.example
              region: 2️⃣EU West
              endpoint: 3️⃣minio.example:9000
              4️⃣secret_access_key: wJalrXUtnFEMI
              5️⃣aws_access_key_id: AKIAEXAMPLE

          """),
      [
        .error("1️⃣", "unknown key 'endpont' in 'backups.s3'", notes: ["did you mean 'endpoint'?"]),
        .error("2️⃣", "'EU West' is not a region name such as eu-west-1"),
        .error(
          "3️⃣", "'backups.s3.endpoint' must be an http:// or https:// URL, such as https://minio.example:9000"),
        .error(
          "4️⃣",
          "'secret_access_key' cannot be in a plan: a plan never holds credentials (it is "
            + "committed and printed); remove it, and pitr reads S3 credentials only from the "
            + "environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN) or "
            + "AWS_PROFILE's shared credentials file", notes: []),
        .error(
          "5️⃣",
          "'aws_access_key_id' cannot be in a plan: a plan never holds credentials (it is "
            + "committed and printed); remove it, and pitr reads S3 credentials only from the "
            + "environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN) or "
            + "AWS_PROFILE's shared credentials file", notes: []),
      ])
  }

  @Test func anEndpointWithACredentialIsRefused() {
    expectDiagnostics(
      plan(extra: "  s3: {endpoint: 1️⃣'https://KEY:SECRET@minio.example'}\n"),
      [
        .error(
          "1️⃣",
          "'backups.s3.endpoint' holds a credential in its URL; a plan never holds secrets (it is "
            + "committed and printed): pitr reads S3 credentials only from the environment "
            + "(AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN) or AWS_PROFILE's "
            + "shared credentials file")
      ])
  }

  @Test func aRemoteLocationIsNeverComparedWithTheDataDirectory() {
    // /srv/pg/restore is not "inside" ssh://h/srv/pg: that folder is on another host.
    #expect(loadValidPlan(plan(base: "ssh://h/srv/pg", wal: "ssh://h/srv/pg/restore")) != nil)
  }
}
