import Foundation
import Testing

@testable import S3

/// A transport that answers from a script, one answer per request, recording the requests.
final class ScriptedTransport: S3Transport, @unchecked Sendable {
  private var answers: [Result<S3HTTPResponse, S3TransportError>]
  private(set) var requests: [S3HTTPRequest] = []
  private let lock = NSLock()

  init(_ answers: [Result<S3HTTPResponse, S3TransportError>]) { self.answers = answers }

  func send(_ request: S3HTTPRequest) throws -> S3HTTPResponse {
    lock.lock()
    defer { lock.unlock() }
    requests.append(request)
    return try answers.removeFirst().get()
  }
}

func errorXML(_ code: String, _ message: String) -> Data {
  Data(
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>\(code)</Code><Message>\(message)</Message></Error>".utf8)
}

/// Listing XML, error mapping, retries and masked secrets, with a scripted transport.
@Suite struct S3ClientErrorTests {
  static let secret = "s3cr3t/K7MDENG+bPxRfiCY"
  static let token = "FQoGZXIvYXdzEJr//token"
  let credentials = S3Credentials(
    accessKeyID: "AKIATESTKEY1", secretAccessKey: secret, sessionToken: token, source: "the test")

  func client(_ transport: ScriptedTransport, attempts: Int = 3) -> S3Client {
    S3Client(
      bucket: "backups",
      configuration: S3Configuration(
        endpoint: URL(string: "http://127.0.0.1:9")!, region: "us-east-1", pathStyle: true),
      credentials: credentials, transport: transport,
      retry: S3RetryPolicy(maxAttempts: attempts, baseDelay: 0, maxDelay: 0),
      now: { Date(timeIntervalSince1970: 1_440_938_160) })
  }

  @Test func listingParsesPagesAndTimes() throws {
    let xml = """
      <?xml version="1.0" encoding="UTF-8"?>
      <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>backups</Name><Prefix>wal/</Prefix>
      <KeyCount>2</KeyCount><MaxKeys>2</MaxKeys><IsTruncated>true</IsTruncated>
      <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
      <Contents><Key>wal/000000010000000000000001</Key><LastModified>2026-12-05T00:08:07.123Z</LastModified>
      <ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag><Size>16777216</Size><StorageClass>STANDARD</StorageClass></Contents>
      <Contents><Key>wal/a&amp;b</Key><LastModified>1970-01-01T00:00:01Z</LastModified><ETag>"x-2"</ETag><Size>0</Size></Contents>
      </ListBucketResult>
      """
    let page = try S3XML.listPage(Data(xml.utf8))
    #expect(page.nextContinuationToken == "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=")
    #expect(
      page.entries == [
        S3ObjectEntry(
          key: "wal/000000010000000000000001", size: 16_777_216, lastModifiedNanoseconds: 1_796_429_287_123_000_000,
          etag: "9b2cf535f27731c974343645a3985328"),
        S3ObjectEntry(key: "wal/a&b", size: 0, lastModifiedNanoseconds: 1_000_000_000, etag: "x-2"),
      ])
    #expect(S3Time.httpDateNanoseconds("Sat, 05 Dec 2026 00:08:07 GMT") == 1_796_429_287_000_000_000)
  }

  @Test func listingFollowsContinuationTokens() throws {
    func page(_ key: String, token: String?) -> S3HTTPResponse {
      let next =
        token.map { "<IsTruncated>true</IsTruncated><NextContinuationToken>\($0)</NextContinuationToken>" }
        ?? "<IsTruncated>false</IsTruncated>"
      return S3HTTPResponse(
        status: 200,
        body: Data(
          "<ListBucketResult>\(next)<Contents><Key>\(key)</Key><LastModified>2026-01-01T00:00:00Z</LastModified><ETag>\"e\"</ETag><Size>1</Size></Contents></ListBucketResult>"
            .utf8))
    }
    let transport = ScriptedTransport([.success(page("a", token: "t+1")), .success(page("b", token: nil))])
    #expect(try client(transport).list(prefix: "p/", pageSize: 1).map(\.key) == ["a", "b"])
    #expect(
      transport.requests[1].url.absoluteString
        == "http://127.0.0.1:9/backups/?list-type=2&prefix=p%2F&max-keys=1&continuation-token=t%2B1")
  }

  @Test func retriesThenSucceeds() throws {
    let transport = ScriptedTransport([
      .failure(S3TransportError(.connectionLost)),
      .success(S3HTTPResponse(status: 503, body: errorXML("SlowDown", "Reduce your request rate."))),
      .success(S3HTTPResponse(status: 200, body: Data("hello".utf8))),
    ])
    #expect(try client(transport).read("k") == Data("hello".utf8))
    #expect(transport.requests.count == 3)
  }

  @Test func retriesAreBounded() {
    let slow = ScriptedTransport(
      Array(repeating: .success(S3HTTPResponse(status: 503, body: errorXML("SlowDown", "Reduce"))), count: 3))
    #expect(
      throws: S3Error(
        .serverError,
        "the S3 endpoint http://127.0.0.1:9 kept failing (HTTP 503 SlowDown) after 3 attempts; the service is overloaded or down: try again later"
      )
    ) { try client(slow).read("k") }
    let refused = ScriptedTransport(Array(repeating: .failure(S3TransportError(.connectionRefused)), count: 3))
    #expect(
      throws: S3Error(
        .endpointUnreachable,
        "cannot reach the S3 endpoint http://127.0.0.1:9 (connection refused) after 3 attempts; check the endpoint (AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL or backups.s3.endpoint), the network, and that the service is running"
      )
    ) { try client(refused).read("k") }
  }

  @Test func errorsAreMappedWithTheirFix() {
    let denied = ScriptedTransport([
      .success(
        S3HTTPResponse(
          status: 403,
          body: errorXML("InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.")))
    ])
    #expect(
      throws: S3Error(
        .accessDenied,
        "access denied to s3://backups/k at http://127.0.0.1:9 (InvalidAccessKeyId: The AWS Access Key Id you provided does not exist in our records.) with credentials from the test; check the access key and its secret, and that their policy allows s3:ListBucket and s3:GetObject on the bucket"
      )
    ) { try client(denied).read("k") }
    let noBucket = ScriptedTransport([
      .success(S3HTTPResponse(status: 404, body: errorXML("NoSuchBucket", "The specified bucket does not exist")))
    ])
    #expect(
      throws: S3Error(
        .bucketMissing,
        "bucket 'backups' does not exist at http://127.0.0.1:9; check the bucket name in the s3:// URL, the endpoint (AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL or backups.s3.endpoint) and the region"
      )
    ) { try client(noBucket).list(prefix: "") }
    let noKey = ScriptedTransport([.success(S3HTTPResponse(status: 404)), .success(S3HTTPResponse(status: 200))])
    #expect(
      throws: S3Error(
        .keyMissing, "s3://backups/wal/1 does not exist; check the key (was it deleted or expired since it was listed?)"
      )
    ) { try client(noKey).head("wal/1") }
    let changed = ScriptedTransport([.success(S3HTTPResponse(status: 412, body: errorXML("PreconditionFailed", "")))])
    #expect(
      throws: S3Error(
        .objectChanged,
        "s3://backups/k changed while it was being read (ETag abc when opened, now a different ETag (the service refused If-Match)); something rewrote it: run again once its writer is done"
      )
    ) { try client(changed).read("k", range: 0..<10, ifMatch: "abc") }
  }

  @Test func secretsNeverAppear() throws {
    let echoing = ScriptedTransport([
      .success(
        S3HTTPResponse(status: 403, body: errorXML("SignatureDoesNotMatch", "key \(Self.secret) token \(Self.token)")))
    ])
    let subject = client(echoing)
    do {
      _ = try subject.read("k")
      Issue.record("expected an error")
    } catch {
      #expect(error.kind == .accessDenied)
      #expect(!error.description.contains(Self.secret) && !error.description.contains(Self.token))
      #expect(error.description.contains("key **** token ****"))
    }
    #expect(!subject.description.contains(Self.secret) && !subject.description.contains(Self.token))
    #expect(!String(reflecting: credentials).contains(Self.secret))
    let request = echoing.requests[0]
    #expect(!request.headers.contains { $0.1.contains(Self.secret) })
    #expect(request.headers.contains { $0 == ("x-amz-security-token", Self.token) })
  }
}

extension S3ClientErrorTests {
  @Test func dumpHidesSecrets() {
    var text = ""
    dump(credentials, to: &text)
    #expect(!text.contains(Self.secret) && !text.contains(Self.token))
  }
}
