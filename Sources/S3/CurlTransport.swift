import Foundation

/// The transport through libcurl's easy API, loaded on first use (``CurlLibrary``).
///
/// Each call blocks its thread until the response is in; bodies are small (listings, heads) or
/// bounded (one chunk of an object stream), so they are kept whole. Easy handles are kept in a
/// small pool so that each thread's next request reuses a connection; a handle is used by one
/// thread at a time. Requests go out with their headers as given and nothing more (no
/// `Expect: 100-continue`, no `Accept`, no `Accept-Encoding`); redirects are not followed.
/// TLS uses libcurl's CA store, or the file named by `CURL_CA_BUNDLE` or `SSL_CERT_FILE` and
/// the folder named by `SSL_CERT_DIR` when set (as the `curl` program does).
public final class CurlTransport: S3Transport, @unchecked Sendable {
  private let timeout: Int
  private let library: @Sendable () -> Result<CurlLibrary, S3Error>
  private let caFile: String?
  private let caPath: String?
  private let lock = NSLock()
  private var idle: [CurlLibrary.Handle] = []
  /// How many idle handles (and their connections) are kept.
  static let idleLimit = 8

  /// - Parameter timeout: Seconds to connect, and seconds without progress before a request
  ///   fails (retried).
  public convenience init(
    timeout: TimeInterval = 60, environment: [String: String] = ProcessInfo.processInfo.environment
  ) {
    self.init(timeout: timeout, environment: environment, library: { CurlLibrary.shared })
  }

  init(
    timeout: TimeInterval, environment: [String: String],
    library: @escaping @Sendable () -> Result<CurlLibrary, S3Error>
  ) {
    self.timeout = max(1, Int(timeout.rounded(.up)))
    self.library = library
    func nonEmpty(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
    caFile = nonEmpty("CURL_CA_BUNDLE") ?? nonEmpty("SSL_CERT_FILE")
    caPath = nonEmpty("SSL_CERT_DIR")
  }

  deinit {
    guard !idle.isEmpty, case .success(let curl) = library() else { return }
    for handle in idle { curl.easyCleanup(handle) }
  }

  public func send(_ request: S3HTTPRequest) throws -> S3HTTPResponse {
    let curl = try library().get()
    let handle: CurlLibrary.Handle
    if let kept = lock.withLock({ idle.popLast() }) {
      handle = kept
    } else {
      guard let made = curl.easyInit() else { throw S3TransportError(.other, "curl_easy_init failed") }
      handle = made
    }
    defer {
      let kept = lock.withLock {
        guard idle.count < Self.idleLimit else { return false }
        idle.append(handle)
        return true
      }
      if !kept { curl.easyCleanup(handle) }
    }
    return try perform(request, on: handle, curl)
  }

  /// What one request gathers: the body and the headers of the last response (after any
  /// interim one).
  private final class Received {
    var body = Data()
    var headers: [String: String] = [:]

    func header(_ line: String) {
      let text = line.trimmingCharacters(in: .whitespacesAndNewlines)
      if text.hasPrefix("HTTP/") {
        headers = [:]
        return
      }
      guard let colon = text.firstIndex(of: ":") else { return }
      let name = text[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
      let value = text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces)
      headers[name] = headers[name].map { $0 + ", " + value } ?? value
    }
  }

  private func perform(_ request: S3HTTPRequest, on handle: CurlLibrary.Handle, _ curl: CurlLibrary) throws
    -> S3HTTPResponse
  {
    curl.easyReset(handle)
    var headerList: OpaquePointer?
    defer { curl.slistFreeAll(headerList) }
    let given = Set(request.headers.map { $0.0.lowercased() })
    // "Name:" removes a header libcurl would add; "Name;" sends one with an empty value.
    let removed = ["Expect", "Accept", "Content-Type"].filter { !given.contains($0.lowercased()) }.map { $0 + ":" }
    for line in request.headers.map({ $0.1.isEmpty ? "\($0.0);" : "\($0.0): \($0.1)" }) + removed {
      guard let list = curl.slistAppend(headerList, line) else { throw S3TransportError(.other, "out of memory") }
      headerList = list
    }
    let received = Received()
    let context = Unmanaged.passUnretained(received).toOpaque()
    let errorText = UnsafeMutablePointer<CChar>.allocate(capacity: CurlOption.errorBufferSize)
    defer { errorText.deallocate() }
    errorText[0] = 0
    var failed: Int32 = 0
    func check(_ code: Int32) { if failed == 0 { failed = code } }
    check(request.url.absoluteString.withCString { curl.setPointer(handle, CurlOption.url, $0) })
    check(curl.setLong(handle, CurlOption.noSignal, 1))
    check(curl.setLong(handle, CurlOption.connectTimeout, timeout))
    check(curl.setLong(handle, CurlOption.lowSpeedLimit, 1))
    check(curl.setLong(handle, CurlOption.lowSpeedTime, timeout))
    check(curl.setPointer(handle, CurlOption.httpHeader, UnsafeRawPointer(headerList)))
    check(curl.setPointer(handle, CurlOption.errorBuffer, errorText))
    check(curl.setCallback(handle, CurlOption.writeFunction, Self.write))
    check(curl.setPointer(handle, CurlOption.writeData, context))
    check(curl.setCallback(handle, CurlOption.headerFunction, Self.header))
    check(curl.setPointer(handle, CurlOption.headerData, context))
    if let caFile { check(caFile.withCString { curl.setPointer(handle, CurlOption.caInfo, $0) }) }
    if let caPath { check(caPath.withCString { curl.setPointer(handle, CurlOption.caPath, $0) }) }
    switch request.method {
    case "GET": check(curl.setLong(handle, CurlOption.httpGet, 1))
    case "HEAD": check(curl.setLong(handle, CurlOption.noBody, 1))
    default: check(request.method.withCString { curl.setPointer(handle, CurlOption.customRequest, $0) })
    }
    let sendsBody = request.method == "PUT" || request.method == "POST" || !request.body.isEmpty
    let code = request.body.withUnsafeBytes { body -> Int32 in
      withUnsafePointer(to: 0 as UInt8) { empty -> Int32 in
        if sendsBody {
          // The body as POST data under the method set above: no read callback, no Expect.
          check(curl.setOffset(handle, CurlOption.postFieldSizeLarge, Int64(body.count)))
          check(curl.setPointer(handle, CurlOption.postFields, body.baseAddress ?? UnsafeRawPointer(empty)))
        }
        guard failed == 0 else { return failed }
        return curl.easyPerform(handle)
      }
    }
    guard code == 0 else {
      let said = String(cString: errorText)
      throw S3TransportError(CurlCode.kind(code), said.isEmpty ? curl.message(code) : said)
    }
    var status = 0
    _ = curl.getLong(handle, CurlOption.responseCode, &status)
    return S3HTTPResponse(status: status, headers: received.headers, body: received.body)
  }

  private static let write: CurlLibrary.DataCallback = { data, size, count, context in
    let received = Unmanaged<Received>.fromOpaque(context!).takeUnretainedValue()
    if let data, size * count > 0 {
      received.body.append(UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self), count: size * count)
    }
    return size * count
  }

  private static let header: CurlLibrary.DataCallback = { data, size, count, context in
    let received = Unmanaged<Received>.fromOpaque(context!).takeUnretainedValue()
    if let data {
      received.header(String(decoding: UnsafeRawBufferPointer(start: data, count: size * count), as: UTF8.self))
    }
    return size * count
  }
}
