import Foundation
import Testing
import _PITRTestSupport

@testable import S3

#if canImport(Glibc)
  import Glibc
#endif

/// A one-thread HTTP/1.1 server on 127.0.0.1 that records each request's head and body and
/// answers each from `answer` (nil: never answers), keeping connections open.
final class LoopbackHTTPServer: @unchecked Sendable {
  struct Received: Equatable {
    var head: String
    var body: Data
  }

  let port: Int
  private let listener: Int32
  private let lock = NSLock()
  private var received: [Received] = []
  private var connectionCount = 0
  private let answer: @Sendable (Received) -> String?

  init(answer: @escaping @Sendable (Received) -> String?) throws {
    let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    self.listener = listener
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
        bind(listener, pointer, length) == 0 && listen(listener, 8) == 0 && getsockname(listener, pointer, &length) == 0
      }
    }
    guard bound else { throw S3TransportError(.other, "cannot listen on 127.0.0.1") }
    port = Int(UInt16(bigEndian: address.sin_port))
    self.answer = answer
    Thread.detachNewThread { [self] in
      while true {
        let connection = accept(listener, nil, nil)
        guard connection >= 0 else { return }
        lock.withLock { connectionCount += 1 }
        Thread.detachNewThread { [self] in serve(connection) }
      }
    }
  }

  var requests: [Received] { lock.withLock { received } }
  var connections: Int { lock.withLock { connectionCount } }

  func stop() { shutdown(listener, Int32(SHUT_RDWR)) }

  private func serve(_ connection: Int32) {
    defer { close(connection) }
    var pending = Data()
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
      while pending.range(of: Data("\r\n\r\n".utf8)) == nil {
        let count = read(connection, &buffer, buffer.count)
        guard count > 0 else { return }
        pending.append(contentsOf: buffer[0..<count])
      }
      let end = pending.range(of: Data("\r\n\r\n".utf8))!
      let head = String(decoding: pending[pending.startIndex..<end.lowerBound], as: UTF8.self)
      let length =
        head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
        .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
      pending = Data(pending[end.upperBound...])
      while pending.count < length {
        let count = read(connection, &buffer, buffer.count)
        guard count > 0 else { return }
        pending.append(contentsOf: buffer[0..<count])
      }
      let request = Received(head: head, body: Data(pending.prefix(length)))
      pending = Data(pending.dropFirst(length))
      lock.withLock { received.append(request) }
      guard let reply = answer(request) else {
        while read(connection, &buffer, buffer.count) > 0 {}
        return
      }
      let bytes = Array(reply.utf8)
      guard write(connection, bytes, bytes.count) == bytes.count else { return }
    }
  }
}

/// The libcurl transport against a loopback server: what goes on the wire, what comes back,
/// connection reuse, timeouts, and a libcurl that cannot be loaded.
@Suite struct CurlTransportTests {
  @Test func requestsGoOutAsGivenAndResponsesComeBackWhole() throws {
    let server = try LoopbackHTTPServer { request in
      let body = request.head.hasPrefix("HEAD") ? "" : "hello"
      return "HTTP/1.1 200 OK\r\nETag: \"x\"\r\nX-Amz-Meta-A: 1\r\nx-amz-meta-a: 2\r\nContent-Length: 5\r\n\r\n\(body)"
    }
    defer { server.stop() }
    let transport = CurlTransport(timeout: 10, environment: [:])
    let url = URL(string: "http://127.0.0.1:\(server.port)/b/a%26b?x=1")!
    let upload = Data(repeating: 7, count: 2 << 20)
    let headers = [("host", "127.0.0.1:\(server.port)"), ("x-amz-date", "20261205T000000Z")]
    let put = try transport.send(S3HTTPRequest(method: "PUT", url: url, headers: headers, body: upload))
    #expect(put.status == 200 && put.body == Data("hello".utf8))
    #expect(put.headers == ["etag": "\"x\"", "x-amz-meta-a": "1, 2", "content-length": "5"])
    let head = try transport.send(S3HTTPRequest(method: "HEAD", url: url, headers: headers))
    #expect(head.status == 200 && head.body.isEmpty && head.headers["content-length"] == "5")
    _ = try transport.send(S3HTTPRequest(method: "DELETE", url: url, headers: headers))
    _ = try transport.send(S3HTTPRequest(method: "GET", url: url, headers: headers + [("range", "bytes=0-4")]))
    // libcurl writes the given host header as its own Host line (same value).
    let wire = server.requests
    #expect(
      wire.map(\.head) == [
        "PUT /b/a%26b?x=1 HTTP/1.1\r\nHost: 127.0.0.1:\(server.port)\r\nx-amz-date: 20261205T000000Z\r\nContent-Length: 2097152",
        "HEAD /b/a%26b?x=1 HTTP/1.1\r\nHost: 127.0.0.1:\(server.port)\r\nx-amz-date: 20261205T000000Z",
        "DELETE /b/a%26b?x=1 HTTP/1.1\r\nHost: 127.0.0.1:\(server.port)\r\nx-amz-date: 20261205T000000Z",
        "GET /b/a%26b?x=1 HTTP/1.1\r\nHost: 127.0.0.1:\(server.port)\r\nx-amz-date: 20261205T000000Z\r\nrange: bytes=0-4",
      ])
    #expect(wire[0].body == upload)
    #expect(server.connections == 1)
  }

  @Test func anEmptyPutSendsAZeroLength() throws {
    let server = try LoopbackHTTPServer { _ in "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n" }
    defer { server.stop() }
    let url = URL(string: "http://127.0.0.1:\(server.port)/bucket")!
    let response = try CurlTransport(timeout: 10, environment: [:]).send(
      S3HTTPRequest(method: "PUT", url: url, headers: [("x-amz-date", "d")]))
    #expect(response.status == 200 && response.headers == ["content-length": "0"])
    #expect(
      server.requests.map(\.head) == [
        "PUT /bucket HTTP/1.1\r\nHost: 127.0.0.1:\(server.port)\r\nx-amz-date: d\r\nContent-Length: 0"
      ])
  }

  @Test func aSilentServerTimesOut() throws {
    let server = try LoopbackHTTPServer { _ in nil }
    defer { server.stop() }
    let url = URL(string: "http://127.0.0.1:\(server.port)/b/k")!
    do {
      _ = try CurlTransport(timeout: 1, environment: [:]).send(S3HTTPRequest(method: "GET", url: url, headers: []))
      Issue.record("expected a timeout")
    } catch let error as S3TransportError {
      #expect(error.kind == .timedOut && error.description == "timed out")
    }
    #expect(server.requests.count == 1)
  }

  @Test func aRefusedConnection() throws {
    let port = try MotoServer.freePort()
    let url = URL(string: "http://127.0.0.1:\(port)/")!
    do {
      _ = try CurlTransport(timeout: 5, environment: [:]).send(S3HTTPRequest(method: "GET", url: url, headers: []))
      Issue.record("expected connection refused")
    } catch let error as S3TransportError {
      #expect(error.kind == .connectionRefused && error.description == "connection refused")
      #expect(error.detail.contains("127.0.0.1"))
    }
  }

  @Test func curlCodesMapOntoTheMessagesReasons() {
    let reasons = [7, 28, 6, 5, 18, 52, 55, 56, 35, 60].map {
      S3TransportError(CurlCode.kind($0), "curl said").description
    }
    #expect(
      reasons == [
        "connection refused", "timed out", "host not found", "host not found", "connection lost", "connection lost",
        "connection lost", "connection lost", "curl said", "curl said",
      ])
  }

  @Test func aMissingLibcurlIsAFinalErrorNamingThePackage() {
    let transport = CurlTransport(
      timeout: 60, environment: [:],
      library: { Result { () throws(S3Error) in try CurlLibrary.load("libpitr-no-such-curl.so.4") } })
    let expected = S3Error(
      .httpLibraryMissing,
      "cannot load libcurl (libpitr-no-such-curl.so.4: cannot open shared object file: No such file or directory), which pitr needs for s3:// locations only; install it (Debian and Ubuntu: apt-get install libcurl4), or use a local or ssh:// location"
    )
    #expect(throws: expected) {
      try transport.send(S3HTTPRequest(method: "GET", url: URL(string: "http://127.0.0.1:9/")!, headers: []))
    }
    let client = S3Client(
      bucket: "b",
      configuration: S3Configuration(
        endpoint: URL(string: "http://127.0.0.1:9")!, region: "us-east-1", pathStyle: true),
      credentials: S3Credentials(accessKeyID: "AKIA", secretAccessKey: "secret"), transport: transport,
      retry: S3RetryPolicy(maxAttempts: 3, baseDelay: 10, maxDelay: 10))
    #expect(throws: expected) { try client.read("k") }
  }
}

/// HTTPS through libcurl against moto with a self-signed certificate: refused with libcurl's
/// CA store, accepted once `SSL_CERT_FILE` or `CURL_CA_BUNDLE` names the certificate.
@Suite(.tags(.remoteRepository), .enabled(if: MotoServer.isAvailable))
struct CurlTransportTLSTests {
  @Test func httpsTrustsTheCertificateNamedByTheEnvironment() throws {
    let folder = try TemporaryDirectory("tls")
    defer { folder.remove() }
    let certificate = folder.file("cert.pem")
    let key = folder.file("key.pem")
    let openssl = Process()
    openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
    openssl.arguments = [
      "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", certificate, "-days", "2",
      "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
    ]
    openssl.standardError = FileHandle.nullDevice
    try openssl.run()
    openssl.waitUntilExit()
    try #require(openssl.terminationStatus == 0)
    let moto = try MotoServer(tls: (certificate, key))
    defer { moto.stop() }
    #expect(moto.endpoint.hasPrefix("https://127.0.0.1:"))
    func client(_ environment: [String: String]) -> S3Client {
      S3Client(
        bucket: "tls", configuration: moto.configuration,
        credentials: S3Credentials(accessKeyID: "AKIDTEST", secretAccessKey: "test-secret"),
        transport: CurlTransport(timeout: 30, environment: environment),
        retry: S3RetryPolicy(maxAttempts: 1, baseDelay: 0, maxDelay: 0))
    }
    do {
      try client([:]).createBucket()
      Issue.record("expected the self-signed certificate to be refused")
    } catch {
      #expect(error.kind == .endpointUnreachable)
      #expect(error.description.contains("(SSL certificate problem: self-signed certificate)"))
    }
    let trusting = client(["SSL_CERT_FILE": certificate])
    try trusting.createBucket()
    try trusting.put("wal/a&b", Data("secure".utf8))
    #expect(try client(["CURL_CA_BUNDLE": certificate]).read("wal/a&b") == Data("secure".utf8))
    #expect(try trusting.list(prefix: "wal/").map(\.key) == ["wal/a&b"])
  }
}
