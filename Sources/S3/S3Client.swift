import Crypto
import Foundation

/// A client for one bucket of an S3-compatible service: list, head, ranged reads, streams.
///
/// Every call blocks until it is done (the callers, the catalog and the tar reader, are
/// synchronous). Each request is signed with Signature V4 and retried by its
/// ``S3RetryPolicy``; every failure is an ``S3Error`` with no secret in it.
public final class S3Client: Sendable, CustomStringConvertible {
  /// The bucket this client reads.
  public let bucket: String
  /// Endpoint, region and addressing style.
  public let configuration: S3Configuration
  let credentials: S3Credentials
  let transport: any S3Transport
  let retry: S3RetryPolicy
  let now: @Sendable () -> Date

  public init(
    bucket: String, configuration: S3Configuration, credentials: S3Credentials,
    transport: any S3Transport = CurlTransport(), retry: S3RetryPolicy = .standard,
    now: @escaping @Sendable () -> Date = { Date() }
  ) {
    self.bucket = bucket
    self.configuration = configuration
    self.credentials = credentials
    self.transport = transport
    self.retry = retry
    self.now = now
  }

  public var description: String {
    "S3Client(s3://\(bucket) at \(endpointText), region \(configuration.region), \(credentials))"
  }

  var endpointText: String { configuration.endpoint.absoluteString }

  // MARK: - Operations

  /// Every object whose key starts with `prefix`, in key order, through ListObjectsV2 pages.
  ///
  /// - Parameter pageSize: `max-keys` for each page (the service's default, 1000, when nil).
  public func list(prefix: String, pageSize: Int? = nil) throws(S3Error) -> [S3ObjectEntry] {
    var entries: [S3ObjectEntry] = []
    var token: String?
    repeat {
      var query: [(String, String)] = [("list-type", "2"), ("prefix", prefix)]
      if let pageSize { query.append(("max-keys", String(pageSize))) }
      if let token { query.append(("continuation-token", token)) }
      let response = try send("GET", key: nil, query: query)
      guard response.status == 200 else { throw failure(response, key: nil) }
      let page = try S3XML.listPage(response.body)
      entries += page.entries
      token = page.nextContinuationToken
    } while token != nil
    return entries
  }

  /// The object's size, ETag and modification time.
  public func head(_ key: String) throws(S3Error) -> S3ObjectEntry {
    let response = try send("HEAD", key: key)
    guard response.status == 200 else {
      if response.status == 404 { try checkBucketExists() }
      throw failure(response, key: key)
    }
    return try entry(key, response)
  }

  /// The object's bytes, or those of `range` (a `Range` header); with `ifMatch`, only while the
  /// object's ETag is still that one.
  public func read(_ key: String, range: Range<Int64>? = nil, ifMatch: String? = nil) throws(S3Error) -> Data {
    try get(key, range: range, ifMatch: ifMatch, expectedSize: nil).body
  }

  /// A stream over the object, read in `chunkSize` ranged requests with the next one in flight
  /// while the current one is consumed (memory: two chunks), each pinned to the ETag the HEAD
  /// saw so that a rewrite mid-read is an error rather than a mix of two objects.
  public func open(_ key: String, chunkSize: Int = 8 << 20) throws(S3Error) -> S3ObjectStream {
    S3ObjectStream(client: self, entry: try head(key), chunkSize: max(1, chunkSize))
  }

  /// Writes an object (one PUT; for tests and small objects).
  public func put(_ key: String, _ bytes: Data) throws(S3Error) {
    let response = try send("PUT", key: key, body: bytes)
    guard response.status == 200 else { throw failure(response, key: key) }
  }

  /// Deletes an object (for tests).
  public func delete(_ key: String) throws(S3Error) {
    let response = try send("DELETE", key: key)
    guard response.status == 204 || response.status == 200 else { throw failure(response, key: key) }
  }

  /// Creates the bucket (for tests against a local service).
  public func createBucket() throws(S3Error) {
    let response = try send("PUT", key: nil)
    guard response.status == 200 else { throw failure(response, key: nil) }
  }

  // MARK: - Requests

  /// A GET, checked: 200 or 206, and with a range, the Content-Range's total equal to
  /// `expectedSize` when given.
  func get(_ key: String, range: Range<Int64>?, ifMatch: String?, expectedSize: Int64?) throws(S3Error)
    -> S3HTTPResponse
  {
    var headers: [(String, String)] = []
    if let range { headers.append(("range", "bytes=\(range.lowerBound)-\(range.upperBound - 1)")) }
    if let ifMatch { headers.append(("if-match", "\"\(ifMatch)\"")) }
    let response = try send("GET", key: key, headers: headers)
    if response.status == 412, let ifMatch {
      throw changed(key, was: "ETag \(ifMatch)", now: "a different ETag (the service refused If-Match)")
    }
    guard response.status == 200 || response.status == 206 else {
      if response.status == 404 { try checkBucketExists() }
      throw failure(response, key: key)
    }
    if let expectedSize, let contentRange = response.headers["content-range"],
      let total = contentRange.split(separator: "/").last.flatMap({ Int64($0) }), total != expectedSize
    {
      throw changed(key, was: "\(expectedSize) bytes", now: "\(total) bytes")
    }
    return response
  }

  /// Sends a signed request, retrying connection errors and retryable answers.
  func send(
    _ method: String, key: String?, query: [(String, String)] = [], headers: [(String, String)] = [],
    body: Data = Data()
  ) throws(S3Error) -> S3HTTPResponse {
    var attempt = 0
    while true {
      attempt += 1
      let request = signedRequest(method, key: key, query: query, headers: headers, body: body)
      let response: S3HTTPResponse
      do {
        response = try transport.send(request)
      } catch {
        if let final = error as? S3Error { throw final.redacting(credentials.secrets) }
        guard attempt < retry.maxAttempts else { throw unreachable(error, attempts: attempt) }
        pause(afterAttempt: attempt)
        continue
      }
      let code = S3XML.errorCode(response.body)?.code ?? response.headers["x-amz-error-code"]
      guard S3RetryPolicy.isRetryable(status: response.status, code: code) else { return response }
      guard attempt < retry.maxAttempts else { throw serverFailure(response, code: code, attempts: attempt) }
      pause(afterAttempt: attempt)
    }
  }

  private func pause(afterAttempt attempt: Int) {
    let seconds = retry.delay(afterAttempt: attempt)
    if seconds > 0 { Thread.sleep(forTimeInterval: seconds) }
  }

  /// The request with its URL, `host`, `x-amz-*` headers and `Authorization`.
  func signedRequest(
    _ method: String, key: String?, query: [(String, String)], headers: [(String, String)], body: Data
  ) -> S3HTTPRequest {
    let endpoint = configuration.endpoint
    let scheme = endpoint.scheme ?? "https"
    var host = endpoint.host ?? ""
    let basePath = endpoint.path.hasSuffix("/") ? String(endpoint.path.dropLast()) : endpoint.path
    var path = basePath
    if configuration.pathStyle {
      path += "/" + SignatureV4.encode(bucket)
    } else {
      host = "\(bucket).\(host)"
    }
    path += "/" + (key.map { SignatureV4.encode($0, keepSlash: true) } ?? "")
    let hostHeader = endpoint.port.map { "\(host):\($0)" } ?? host
    let queryText = query.map { "\(SignatureV4.encode($0.0))=\(SignatureV4.encode($0.1))" }.joined(separator: "&")
    let url = URL(string: "\(scheme)://\(hostHeader)\(path)\(queryText.isEmpty ? "" : "?" + queryText)")!
    let payloadHash = body.isEmpty ? SignatureV4.emptyPayloadHash : SignatureV4.hex(SHA256.hash(data: body))
    let amzDate = SignatureV4.amzDate(now())
    var signed = headers + [("host", hostHeader), ("x-amz-content-sha256", payloadHash), ("x-amz-date", amzDate)]
    if let token = credentials.sessionToken { signed.append(("x-amz-security-token", token)) }
    let authorization = SignatureV4(region: configuration.region).authorization(
      method: method, path: path, query: query, headers: signed, payloadHash: payloadHash,
      amzDate: amzDate, credentials: credentials)
    return S3HTTPRequest(method: method, url: url, headers: signed + [("authorization", authorization)], body: body)
  }

  /// A HEAD's entry: size, ETag, Last-Modified.
  private func entry(_ key: String, _ response: S3HTTPResponse) throws(S3Error) -> S3ObjectEntry {
    guard let size = response.headers["content-length"].flatMap({ Int64($0) }),
      let modified = response.headers["last-modified"].flatMap(S3Time.httpDateNanoseconds)
    else {
      throw S3Error(
        .unexpectedResponse,
        "the S3 endpoint \(endpointText) answered a HEAD of s3://\(bucket)/\(key) without Content-Length or Last-Modified; check that the endpoint is an S3 service"
      )
    }
    return S3ObjectEntry(
      key: key, size: size, lastModifiedNanoseconds: modified, etag: S3XML.unquote(response.headers["etag"] ?? ""))
  }

  /// Throws `.bucketMissing` when a HEAD of the bucket says 404 (a HEAD of a key cannot tell).
  private func checkBucketExists() throws(S3Error) {
    let response = try send("HEAD", key: nil)
    if response.status == 404 { throw bucketMissing() }
  }
}
