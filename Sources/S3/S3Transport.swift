import Foundation

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// One HTTP request as the client sends it.
public struct S3HTTPRequest: Sendable {
  public var method: String
  public var url: URL
  /// Headers, signed ones included, in the order set.
  public var headers: [(String, String)]
  public var body: Data

  public init(method: String, url: URL, headers: [(String, String)], body: Data = Data()) {
    self.method = method
    self.url = url
    self.headers = headers
    self.body = body
  }
}

/// One HTTP response, headers keyed by lower-cased name.
public struct S3HTTPResponse: Sendable {
  public var status: Int
  public var headers: [String: String]
  public var body: Data

  public init(status: Int, headers: [String: String] = [:], body: Data = Data()) {
    self.status = status
    self.headers = headers
    self.body = body
  }
}

/// Sends a request and waits for the whole response; throws only when no response came
/// (connection refused, reset, timed out): the client retries those.
public protocol S3Transport: Sendable {
  func send(_ request: S3HTTPRequest) throws -> S3HTTPResponse
}

/// The transport through Foundation's URLSession (FoundationNetworking, libcurl, on Linux).
///
/// Each call blocks its thread until the response is in; bodies are small (listings, heads) or
/// bounded (one chunk of an object stream), so they are kept whole.
public final class URLSessionTransport: S3Transport, @unchecked Sendable {
  private let session: URLSession

  /// - Parameter timeout: Seconds without progress before a request fails (retried).
  public init(timeout: TimeInterval = 60) {
    let configuration = URLSessionConfiguration.ephemeral
    configuration.timeoutIntervalForRequest = timeout
    configuration.httpShouldSetCookies = false
    configuration.urlCache = nil
    session = URLSession(configuration: configuration)
  }

  deinit { session.finishTasksAndInvalidate() }

  public func send(_ request: S3HTTPRequest) throws -> S3HTTPResponse {
    var urlRequest = URLRequest(url: request.url)
    urlRequest.httpMethod = request.method
    for (name, value) in request.headers where name.lowercased() != "host" {
      urlRequest.setValue(value, forHTTPHeaderField: name)
    }
    if request.method == "PUT" || !request.body.isEmpty { urlRequest.httpBody = request.body }
    final class Outcome: @unchecked Sendable {
      var result: Result<S3HTTPResponse, any Error> = .failure(URLError(.unknown))
      let done = DispatchSemaphore(value: 0)
    }
    let outcome = Outcome()
    session.dataTask(with: urlRequest) { data, response, error in
      if let http = response as? HTTPURLResponse {
        var headers: [String: String] = [:]
        for (name, value) in http.allHeaderFields {
          headers[String(describing: name).lowercased()] = String(describing: value)
        }
        outcome.result = .success(S3HTTPResponse(status: http.statusCode, headers: headers, body: data ?? Data()))
      } else {
        outcome.result = .failure(error ?? URLError(.badServerResponse))
      }
      outcome.done.signal()
    }.resume()
    outcome.done.wait()
    return try outcome.result.get()
  }
}
