import Archives
import Foundation
import Testing
import _PITRTestSupport

@testable import S3

/// The client against a real `moto_server` on loopback, started and stopped by each test.
@Suite(.tags(.remoteRepository), .enabled(if: MotoServer.isAvailable))
struct S3MotoIntegrationTests {
  @Test func paginatedListingOfMoreThanAThousandKeys() throws {
    let moto = try MotoServer()
    defer { moto.stop() }
    let client = moto.client(bucket: "wal-archive")
    try client.createBucket()
    for index in 0..<1005 {
      try client.put("wal/" + String(index).leftPaddedForTest(to: 6), Data("segment \(index)".utf8))
    }
    try client.put("base/label", Data("label".utf8))
    let entries = try client.list(prefix: "wal/", pageSize: 100)
    #expect(entries.count == 1005)
    #expect(entries.first?.key == "wal/000000" && entries.last?.key == "wal/001004")
    #expect(entries[7].size == Int64("segment 7".utf8.count))
    #expect(try client.list(prefix: "wal/").count == 1005)
    #expect(try client.list(prefix: "base/").map(\.key) == ["base/label"])
    let head = try client.head("base/label")
    #expect(head.size == 5 && head.etag.count == 32)
    let listed = try #require(try client.list(prefix: "base/").first)
    #expect(
      listed.etag == head.etag
        && listed.lastModifiedNanoseconds / 1_000_000_000 == head.lastModifiedNanoseconds / 1_000_000_000)
  }

  @Test func rangedReadsAndStreamingAMultiMiBObject() throws {
    let moto = try MotoServer()
    defer { moto.stop() }
    let client = moto.client(bucket: "base")
    try client.createBucket()
    var bytes = Data(count: 5 * 1024 * 1024 + 3)
    for index in bytes.indices { bytes[index] = UInt8(truncatingIfNeeded: index &* 2_654_435_761 >> 7) }
    try client.put("2026/12/05/base.tar", bytes)
    #expect(try client.read("2026/12/05/base.tar", range: 10..<20) == bytes[10..<20])
    #expect(try client.read("2026/12/05/base.tar") == bytes)
    var stream = try client.open("2026/12/05/base.tar", chunkSize: 1 << 20)
    #expect(stream.name == "s3://base/2026/12/05/base.tar")
    var read = Data()
    var buffer = [UInt8](repeating: 0, count: 300_000)
    while true {
      let count = try buffer.withUnsafeMutableBytes { try stream.read(into: $0) }
      if count == 0 { break }
      read.append(contentsOf: buffer[0..<count])
    }
    #expect(read == bytes)
    var skipping = try client.open("2026/12/05/base.tar", chunkSize: 1 << 20)
    #expect(try skipping.skip(3 * 1024 * 1024 + 5) == 3 * 1024 * 1024 + 5)
    let count = try buffer.withUnsafeMutableBytes { try skipping.read(into: $0) }
    #expect(Data(buffer[0..<count]) == bytes[(3 * 1024 * 1024 + 5)..<(3 * 1024 * 1024 + 5 + count)])
    let before = skipping.offset
    #expect(try skipping.skip(Int64(bytes.count)) == Int64(bytes.count) - before)
    #expect(try buffer.withUnsafeMutableBytes { try skipping.read(into: $0) } == 0)
  }

  @Test func anObjectRewrittenMidReadIsAnError() throws {
    let moto = try MotoServer()
    defer { moto.stop() }
    let client = moto.client(bucket: "base")
    try client.createBucket()
    try client.put("base.tar", Data(repeating: 1, count: 3 << 20))
    var stream = try client.open("base.tar", chunkSize: 1 << 20)
    var buffer = [UInt8](repeating: 0, count: 1 << 20)
    #expect(try buffer.withUnsafeMutableBytes { try stream.read(into: $0) } == 1 << 20)
    try client.put("base.tar", Data(repeating: 2, count: 3 << 20))
    let error = #expect(throws: S3Error.self) {
      for _ in 0..<3 { _ = try buffer.withUnsafeMutableBytes { try stream.read(into: $0) } }
    }
    #expect(error?.kind == .objectChanged)
  }

  @Test func missingBucketAndKey() throws {
    let moto = try MotoServer()
    defer { moto.stop() }
    let missing = moto.client(bucket: "nope")
    #expect(
      throws: S3Error(
        .bucketMissing,
        "bucket 'nope' does not exist at \(moto.endpoint); check the bucket name in the s3:// URL, the endpoint (AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL or backups.s3.endpoint) and the region"
      )
    ) { try missing.list(prefix: "") }
    #expect(throws: S3Error.self) { try missing.head("x") }
    #expect((try? missing.head("x")) == nil)
    do { _ = try missing.head("x") } catch { #expect(error.kind == .bucketMissing) }
    let client = moto.client(bucket: "present")
    try client.createBucket()
    let keyMissing = S3Error(
      .keyMissing,
      "s3://present/wal/000000010000000000000009 does not exist; check the key (was it deleted or expired since it was listed?)"
    )
    #expect(throws: keyMissing) { try client.head("wal/000000010000000000000009") }
    #expect(throws: keyMissing) { try client.read("wal/000000010000000000000009", range: 0..<8192) }
    #expect(throws: keyMissing) { try client.open("wal/000000010000000000000009") }
  }

  /// moto checks signatures only with INITIAL_NO_AUTH_ACTION_COUNT set: keys its IAM does not
  /// know are refused as AWS refuses them.
  @Test func wrongCredentialsAreRefused() throws {
    let moto = try MotoServer(requireSignatures: true)
    defer { moto.stop() }
    let secret = "wrong-secret-Zq9"
    let client = moto.client(
      bucket: "any",
      credentials: S3Credentials(accessKeyID: "AKIAWRONGKEY", secretAccessKey: secret, source: "the test"))
    do {
      _ = try client.list(prefix: "")
      Issue.record("expected access denied")
    } catch {
      #expect(error.kind == .accessDenied)
      #expect(error.description.hasPrefix("access denied to s3://any at \(moto.endpoint) (InvalidAccessKeyId"))
      #expect(
        error.description.hasSuffix(
          "with credentials from the test; check the access key and its secret, and that their policy allows s3:ListBucket and s3:GetObject on the bucket"
        ))
      #expect(!error.description.contains(secret))
    }
  }

  @Test func unreachableEndpoint() throws {
    let port = try MotoServer.freePort()
    let client = S3Client(
      bucket: "b",
      configuration: S3Configuration(
        endpoint: URL(string: "http://127.0.0.1:\(port)")!, region: "us-east-1", pathStyle: true),
      credentials: S3Credentials(accessKeyID: "AKIAUNREACHABLE", secretAccessKey: "unreachable-secret-1"),
      retry: S3RetryPolicy(maxAttempts: 2, baseDelay: 0.01, maxDelay: 0.01))
    #expect(
      throws: S3Error(
        .endpointUnreachable,
        "cannot reach the S3 endpoint http://127.0.0.1:\(port) (connection refused) after 2 attempts; check the endpoint (AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL or backups.s3.endpoint), the network, and that the service is running"
      )
    ) { try client.list(prefix: "") }
  }
}

extension String {
  fileprivate func leftPaddedForTest(to width: Int) -> String {
    count >= width ? self : String(repeating: "0", count: width - count) + self
  }
}
