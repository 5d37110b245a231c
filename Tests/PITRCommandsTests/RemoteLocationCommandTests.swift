import Foundation
import Testing
import _PITRTestSupport

/// A plan whose repository is in S3 is read through the S3 store, with credentials only from
/// the standard places: without any, every command that would read it stops with an error at
/// the S3 key naming every place looked at (exit 2), before any SSH host of the plan is
/// reached, never a "not a folder" or a crash; and a credential in a plan is never printed back.
@Suite struct RemoteLocationCommandTests {
  private let remotePlan = """
    version: 1
    backups:
      base: s3://pg-backups/prod/base
      wal:
        - /backups/wal
        - ssh://backup@archive.example:2222/srv/wal
      s3: {endpoint: "http://127.0.0.1:9000", path_style: true}
    target:
      name: test_pirt
    destination:
      data_directory: /srv/pg/restore
      port: 5599
    action: pause

    """

  private func expectRefused(_ result: ProcessResult, path: String, home: String) {
    #expect(result.status == 2)
    #expect(
      result.standardError.hasPrefix(
        "\(path):3:9: error: cannot read s3://pg-backups/prod/base: no S3 credentials found: looked at "
          + "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (not set), \(home)/.aws/credentials (no such "
          + "file) and \(home)/.aws/config (no such file); set AWS_ACCESS_KEY_ID and "
          + "AWS_SECRET_ACCESS_KEY, or add aws_access_key_id and aws_secret_access_key to profile "
          + "'default' in \(home)/.aws/credentials (AWS_PROFILE picks another profile)\n"),
      "\(result.standardError)")
    // S3 is checked before the SSH host is even reached (no connection, no name lookup).
    #expect(!result.standardError.contains("ssh://"))
    #expect(!result.standardError.contains("not a folder"))
  }

  @Test(arguments: [["validate"], ["plan"], ["catalog"], ["wal", "find", "--plan"]])
  func withoutCredentialsCommandsThatReadTheRepositoryStop(command: [String]) throws {
    let directory = try TemporaryDirectory("remote")
    defer { directory.remove() }
    let path = try directory.write(remotePlan, to: "remote.yaml")
    let environment = ["HOME": directory.path, "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_PROFILE": ""]
    expectRefused(try pitr(arguments: command + [path], environment: environment), path: path, home: directory.path)
  }

  @Test func aCredentialIsNeverPrinted() throws {
    let directory = try TemporaryDirectory("remote")
    defer { directory.remove() }
    let path = try directory.write(
      remotePlan.replacing("s3://pg-backups", with: "s3://AKIAEXAMPLE:wJalrSECRET@pg-backups")
        .replacing("path_style: true}", with: "path_style: true, secret_access_key: wJalrSECRET}"),
      to: "remote.yaml")
    for command in [["validate"], ["plan"], ["plan", "--format", "json"], ["catalog"]] {
      let result = try pitr(arguments: command + [path])
      #expect(result.status == 2)
      #expect(result.standardError.contains("holds a credential in its URL"))
      #expect(!result.standardError.contains("wJalr") && !result.standardOutput.contains("wJalr"))
      #expect(!result.standardError.contains("AKIA") && !result.standardOutput.contains("AKIA"))
    }
  }
}
