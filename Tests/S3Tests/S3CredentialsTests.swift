import Foundation
import Testing
import _PITRTestSupport

@testable import S3

/// Credentials, region and endpoint from environment dictionaries and temporary files.
@Suite struct S3CredentialsTests {
  @Test func environmentVariablesWin() throws {
    let credentials = try S3Credentials.resolve(environment: [
      "AWS_ACCESS_KEY_ID": "AKIAENV1234", "AWS_SECRET_ACCESS_KEY": "env-secret", "AWS_SESSION_TOKEN": "env-token",
      "HOME": "/nonexistent",
    ])
    #expect(credentials.accessKeyID == "AKIAENV1234")
    #expect(credentials.secretAccessKey == "env-secret")
    #expect(credentials.sessionToken == "env-token")
    #expect(
      credentials.description
        == "S3Credentials(access key ****1234, with a session token, from the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY))"
    )
    #expect(!"\(credentials)".contains("env-secret") && !"\(credentials)".contains("env-token"))
  }

  @Test func halfAPairIsRefused() {
    #expect(
      throws: S3Error(
        .invalidConfiguration,
        "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not; set both, or unset AWS_ACCESS_KEY_ID to use a profile from the shared credentials file"
      )
    ) { try S3Credentials.resolve(environment: ["AWS_ACCESS_KEY_ID": "AKIA", "HOME": "/nonexistent"]) }
  }

  @Test func profileFromSharedFiles() throws {
    let home = try TemporaryDirectory("aws-home")
    defer { home.remove() }
    try home.write(
      "[default]\naws_access_key_id = AKIADEFAULT\naws_secret_access_key = default-secret\n\n# comment\n[backup]\naws_access_key_id=AKIABACKUP\naws_secret_access_key=backup-secret\naws_session_token = backup-token\n",
      to: ".aws/credentials")
    try home.write(
      "[default]\nregion = eu-west-3\n[profile minio]\naws_access_key_id = AKIAMINIO\naws_secret_access_key = minio-secret\nregion = local\nendpoint_url = http://127.0.0.1:9000\ns3 =\n  addressing_style = path\n",
      to: ".aws/config")
    let byDefault = try S3Credentials.resolve(environment: ["HOME": home.path])
    #expect(byDefault.accessKeyID == "AKIADEFAULT" && byDefault.secretAccessKey == "default-secret")
    #expect(byDefault.source == "profile 'default' in \(home.path)/.aws/credentials")
    let backup = try S3Credentials.resolve(environment: ["HOME": home.path, "AWS_PROFILE": "backup"])
    #expect(backup.sessionToken == "backup-token")
    let minio = try S3Credentials.resolve(environment: ["HOME": home.path, "AWS_PROFILE": "minio"])
    #expect(minio.accessKeyID == "AKIAMINIO" && minio.source == "profile 'minio' in \(home.path)/.aws/config")
    let configuration = try S3Configuration.resolve(environment: ["HOME": home.path, "AWS_PROFILE": "minio"])
    #expect(
      configuration
        == S3Configuration(endpoint: URL(string: "http://127.0.0.1:9000")!, region: "local", pathStyle: true))
    let aws = try S3Configuration.resolve(environment: ["HOME": home.path])
    #expect(
      aws
        == S3Configuration(
          endpoint: URL(string: "https://s3.eu-west-3.amazonaws.com")!, region: "eu-west-3", pathStyle: false))
  }

  @Test func filesNamedByTheEnvironment() throws {
    let directory = try TemporaryDirectory("aws-files")
    defer { directory.remove() }
    let credentialsFile = try directory.write(
      "[ci]\naws_access_key_id = AKIACI\naws_secret_access_key = ci-secret\n", to: "creds")
    let configFile = try directory.write("[profile ci]\nregion = ap-south-1\n", to: "conf")
    let environment = [
      "HOME": "/nonexistent", "AWS_PROFILE": "ci", "AWS_SHARED_CREDENTIALS_FILE": credentialsFile,
      "AWS_CONFIG_FILE": configFile,
    ]
    #expect(try S3Credentials.resolve(environment: environment).accessKeyID == "AKIACI")
    #expect(try S3Configuration.resolve(environment: environment).region == "ap-south-1")
    var overridden = environment
    overridden["AWS_DEFAULT_REGION"] = "us-west-2"
    #expect(try S3Configuration.resolve(environment: overridden).region == "us-west-2")
    overridden["AWS_REGION"] = "eu-north-1"
    overridden["AWS_ENDPOINT_URL"] = "http://generic:1"
    overridden["AWS_ENDPOINT_URL_S3"] = "http://s3only:2/"
    let resolved = try S3Configuration.resolve(environment: overridden)
    #expect(
      resolved == S3Configuration(endpoint: URL(string: "http://s3only:2")!, region: "eu-north-1", pathStyle: true))
    let fromPlan = try S3Configuration.resolve(
      environment: overridden, endpoint: "https://plan.example", region: "plan-region", pathStyle: false)
    #expect(
      fromPlan
        == S3Configuration(endpoint: URL(string: "https://plan.example")!, region: "plan-region", pathStyle: false))
  }

  @Test func noCredentialsNamesEveryPlace() throws {
    let home = try TemporaryDirectory("aws-empty")
    defer { home.remove() }
    try home.write("[other]\naws_access_key_id = A\naws_secret_access_key = B\n", to: ".aws/credentials")
    #expect(
      throws: S3Error(
        .noCredentials,
        "no S3 credentials found: looked at AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (not set), \(home.path)/.aws/credentials (no profile 'default') and \(home.path)/.aws/config (no such file); set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or add aws_access_key_id and aws_secret_access_key to profile 'default' in \(home.path)/.aws/credentials (AWS_PROFILE picks another profile)"
      )
    ) { try S3Credentials.resolve(environment: ["HOME": home.path]) }
  }

  @Test func badEndpointIsRefused() {
    #expect(
      throws: S3Error(
        .invalidConfiguration,
        "AWS_ENDPOINT_URL_S3 'minio:9000' is not an http:// or https:// URL; write it as https://HOST[:PORT]"
      )
    ) { try S3Configuration.resolve(environment: ["HOME": "/nonexistent", "AWS_ENDPOINT_URL_S3": "minio:9000"]) }
  }
}
