import Archives
import Foundation
import Storage
import Testing
import _PITRTestSupport

@testable import S3

/// `S3Store` against a real `moto_server` on loopback: listings, ranged reads and streams by
/// `s3://` path, and each failure as a `StorageError` with S3's sentence.
@Suite(.tags(.remoteRepository), .enabled(if: MotoServer.isAvailable))
struct S3StoreTests {
  private static let segment = "000000010000000000000002"

  /// A bucket `repo` with a WAL prefix (one dated folder, a console's folder marker), a base
  /// backup, and a `wal2/` prefix that `wal` must not take in.
  private func seeded(_ moto: MotoServer) throws -> (S3Store, S3Client) {
    let client = moto.client(bucket: "repo")
    try client.createBucket()
    try client.put("wal/", Data())
    try client.put("wal/2026-11-22/\(Self.segment)", Data("0123456789".utf8))
    try client.put("wal/000000010000000000000001", Data("abc".utf8))
    try client.put("wal2/000000010000000000000009", Data("other".utf8))
    try client.put("base/2026/11/22/backup_label", Data("label".utf8))
    return (S3Store(client: client), client)
  }

  @Test func listsEveryObjectUnderThePrefixWithETagSizeAndTime() throws {
    let moto = try MotoServer()
    defer { moto.stop() }
    let (store, client) = try seeded(moto)
    let listing = try store.list(under: "s3://repo/wal")
    #expect(
      listing.files.map(\.path) == [
        "s3://repo/wal/000000010000000000000001", "s3://repo/wal/2026-11-22/\(Self.segment)",
      ])
    #expect(listing.files.map(\.size) == [3, 10])
    #expect(listing.files.map(\.name) == ["000000010000000000000001", Substring(Self.segment)])
    let head = try client.head("wal/2026-11-22/\(Self.segment)")
    #expect(listing.files[1].version == head.etag && head.etag.count == 32)
    #expect(listing.files[1].modified / 1_000_000_000 == head.lastModifiedNanoseconds / 1_000_000_000)
    #expect(listing.files[1].modified > 1_700_000_000 * 1_000_000_000)
    #expect(listing.problems.isEmpty)
    #expect(try store.list(under: "s3://repo/wal/").files == listing.files)
    #expect(try store.list(under: "s3://repo").files.count == 4)
  }

  @Test func readsRangesClippedToTheObject() throws {
    let moto = try MotoServer()
    defer { moto.stop() }
    let (store, _) = try seeded(moto)
    let path = "s3://repo/wal/2026-11-22/\(Self.segment)"
    // Before any listing (the size unknown), then after it (pinned to the listed ETag).
    for listed in [false, true] {
      if listed { _ = try store.list(under: "s3://repo/wal") }
      #expect(try store.read(path, range: 2..<5) == Array("234".utf8))
      #expect(try store.read(path, range: 8..<100) == Array("89".utf8))
      #expect(try store.read(path, range: 20..<30) == [])
      #expect(try store.read(path, range: 3..<3) == [])
      #expect(try store.read(path, range: nil) == Array("0123456789".utf8))
    }
  }

  @Test func opensAStreamOfTheObject() throws {
    let moto = try MotoServer()
    defer { moto.stop() }
    let (store, client) = try seeded(moto)
    var bytes = Data(count: 3 * 1024 * 1024 + 17)
    for index in bytes.indices { bytes[index] = UInt8(truncatingIfNeeded: index &* 2_654_435_761 >> 9) }
    try client.put("base/2026/11/22/base.tar", bytes)
    _ = try store.list(under: "s3://repo/base")
    var stream = try store.open("s3://repo/base/2026/11/22/base.tar")
    #expect(stream.name == "s3://repo/base/2026/11/22/base.tar")
    var read = Data()
    var buffer = [UInt8](repeating: 0, count: 200_000)
    while true {
      let count = try buffer.withUnsafeMutableBytes { try stream.read(into: $0) }
      if count == 0 { break }
      read.append(contentsOf: buffer[0..<count])
    }
    #expect(read == bytes)
  }

  @Test func anObjectChangedOrRemovedSinceItWasListedIsAnError() throws {
    let moto = try MotoServer()
    defer { moto.stop() }
    let (store, client) = try seeded(moto)
    let key = "wal/2026-11-22/\(Self.segment)"
    let path = "s3://repo/\(key)"
    _ = try store.list(under: "s3://repo/wal")
    let before = try client.head(key).etag
    try client.put(key, Data("9876543210".utf8))
    let after = try client.head(key).etag
    #expect(
      throws: StorageError(
        .failed, path: path,
        reason:
          "it changed since it was listed (ETag \(before) then, \(after) now); something rewrote it: run again once its writer is done"
      )
    ) { try store.open(path) }
    #expect(
      throws: StorageError(
        .failed, path: path,
        reason:
          "it changed since it was listed (ETag \(before) then, another now); something rewrote it: run again once its writer is done"
      )
    ) { try store.read(path, range: 0..<4) }
    let short = "s3://repo/wal/000000010000000000000001"
    try client.deleteObjectForTest("wal/000000010000000000000001")
    let removed = StorageError(
      .failed, path: short,
      reason:
        "it was removed since it was listed (3 bytes then); something deleted it: run again once the repository is stable"
    )
    #expect(throws: removed) { try store.open(short) }
    #expect(throws: removed) { try store.read(short, range: nil) }
  }

  @Test func aMissingBucketKeyOrPrefixIsNotFound() throws {
    let moto = try MotoServer()
    defer { moto.stop() }
    let (store, _) = try seeded(moto)
    let missingBucket = S3Store(client: moto.client(bucket: "nope"))
    let bucketReason =
      "bucket 'nope' does not exist at \(moto.endpoint); check the bucket name in the s3:// URL, the endpoint (AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL or backups.s3.endpoint) and the region"
    #expect(throws: StorageError(.notFound, path: "s3://nope/wal", reason: bucketReason)) {
      try missingBucket.list(under: "s3://nope/wal")
    }
    #expect(throws: StorageError(.notFound, path: "s3://nope/wal/x", reason: bucketReason)) {
      try missingBucket.read("s3://nope/wal/x", range: 0..<10)
    }
    #expect(throws: StorageError(.notFound, path: "s3://nope/wal/x", reason: bucketReason)) {
      try missingBucket.open("s3://nope/wal/x")
    }
    let keyPath = "s3://repo/wal/000000010000000000000007"
    let keyMissing = StorageError(
      .notFound, path: keyPath,
      reason: "it does not exist; check the key (was it deleted or expired since it was listed?)")
    #expect(throws: keyMissing) { try store.read(keyPath, range: 0..<8192) }
    #expect(throws: keyMissing) { try store.open(keyPath) }
    #expect(
      throws: StorageError(
        .notFound, path: "s3://repo/WAL",
        reason:
          "no object in bucket 'repo' has a key starting with 'WAL/'; check the prefix in the s3:// URL (S3 keys are case-sensitive)"
      )
    ) { try store.list(under: "s3://repo/WAL") }
    #expect(
      throws: StorageError(
        .notAFolder, path: "s3://repo/wal/000000010000000000000001",
        reason:
          "it is an object, not a prefix; name the prefix the backups are under (the part of the key before their names)"
      )
    ) { try store.list(under: "s3://repo/wal/000000010000000000000001") }
    #expect(
      throws: StorageError(.failed, path: "s3://other/wal", reason: "not in s3://repo, the bucket this S3 store reads")
    ) { try store.list(under: "s3://other/wal") }
  }

  /// moto checks keys only with INITIAL_NO_AUTH_ACTION_COUNT=0: an unknown key is refused.
  @Test func wrongCredentialsAreDeniedWithoutTheSecret() throws {
    let moto = try MotoServer(requireSignatures: true)
    defer { moto.stop() }
    let secret = "store-wrong-secret-Kq7"
    let store = try S3Store(
      bucket: "repo",
      environment: [
        "AWS_ACCESS_KEY_ID": "AKIAWRONGSTORE", "AWS_SECRET_ACCESS_KEY": secret, "AWS_ENDPOINT_URL": moto.endpoint,
        "HOME": "/nonexistent",
      ], retry: S3RetryPolicy(maxAttempts: 1, baseDelay: 0, maxDelay: 0))
    do {
      _ = try store.list(under: "s3://repo/wal")
      Issue.record("expected access denied")
    } catch let error as StorageError {
      #expect(error.kind == .denied && error.path == "s3://repo/wal")
      #expect(
        error.description.hasPrefix(
          "cannot read s3://repo/wal: access denied to s3://repo at \(moto.endpoint) (InvalidAccessKeyId"))
      #expect(
        error.description.hasSuffix(
          "with credentials from the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY); check the access key and its secret, and that their policy allows s3:ListBucket and s3:GetObject on the bucket"
        ))
      #expect(!error.description.contains(secret))
    }
  }

  @Test func configurationFromTheEnvironmentWithThePlansOverrides() throws {
    let environment = [
      "AWS_ACCESS_KEY_ID": "AKIAENV", "AWS_SECRET_ACCESS_KEY": "env-secret", "AWS_REGION": "eu-west-3",
      "AWS_ENDPOINT_URL": "http://127.0.0.1:1", "HOME": "/nonexistent",
    ]
    let fromEnvironment = try S3Store(bucket: "b", environment: environment)
    #expect(fromEnvironment.client.configuration.region == "eu-west-3")
    #expect(fromEnvironment.client.configuration.endpoint.absoluteString == "http://127.0.0.1:1")
    #expect(fromEnvironment.client.configuration.pathStyle)
    let overridden = try S3Store(
      bucket: "b", environment: environment, endpoint: "https://minio.example:9000", region: "us-east-1",
      pathStyle: false)
    #expect(
      overridden.client.configuration
        == S3Configuration(endpoint: URL(string: "https://minio.example:9000")!, region: "us-east-1", pathStyle: false))
    #expect(overridden.root == "s3://b")
    #expect(!"\(overridden.client)".contains("env-secret"))
    #expect(
      throws: S3Error(
        .noCredentials,
        "no S3 credentials found: looked at AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (not set), /nonexistent/.aws/credentials (no such file) and /nonexistent/.aws/config (no such file); set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or add aws_access_key_id and aws_secret_access_key to profile 'default' in /nonexistent/.aws/credentials (AWS_PROFILE picks another profile)"
      )
    ) { try S3Store(bucket: "b", environment: ["HOME": "/nonexistent"]) }
  }

  @Test func anUnreachableEndpointIsAFailureNamingIt() throws {
    let port = try MotoServer.freePort()
    let store = try S3Store(
      bucket: "repo",
      environment: [
        "AWS_ACCESS_KEY_ID": "AKIAUNREACHABLE", "AWS_SECRET_ACCESS_KEY": "unreachable-store-secret",
        "AWS_ENDPOINT_URL_S3": "http://127.0.0.1:\(port)", "HOME": "/nonexistent",
      ], retry: S3RetryPolicy(maxAttempts: 2, baseDelay: 0.01, maxDelay: 0.01))
    #expect(
      throws: StorageError(
        .failed, path: "s3://repo/base",
        reason:
          "cannot reach the S3 endpoint http://127.0.0.1:\(port) (connection refused) after 2 attempts; check the endpoint (AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL or backups.s3.endpoint), the network, and that the service is running"
      )
    ) { try store.list(under: "s3://repo/base") }
  }
}

extension S3Client {
  /// Deletes an object (only the tests need it).
  fileprivate func deleteObjectForTest(_ key: String) throws(S3Error) {
    let response = try send("DELETE", key: key)
    guard response.status == 204 || response.status == 200 else { throw failure(response, key: key) }
  }
}
