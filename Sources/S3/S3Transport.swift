import Foundation

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
/// (connection refused, reset, timed out): the client retries those. An ``S3Error`` thrown
/// by a transport is final (not retried).
public protocol S3Transport: Sendable {
  func send(_ request: S3HTTPRequest) throws -> S3HTTPResponse
}

/// Why no response came, as a transport reports it; the client retries these.
public struct S3TransportError: Error, Equatable, Sendable, CustomStringConvertible {
  public enum Kind: Equatable, Sendable {
    case connectionRefused
    case timedOut
    case hostNotFound
    case connectionLost
    /// Anything else (TLS, a malformed URL, …): ``detail`` says what.
    case other
  }

  public var kind: Kind
  /// The HTTP library's own words, for ``Kind/other``.
  public var detail: String

  public init(_ kind: Kind, _ detail: String = "") {
    self.kind = kind
    self.detail = detail
  }

  /// The reason as the messages print it, in parentheses after the endpoint.
  public var description: String {
    switch kind {
    case .connectionRefused: "connection refused"
    case .timedOut: "timed out"
    case .hostNotFound: "host not found"
    case .connectionLost: "connection lost"
    case .other: detail.isEmpty ? "network error" : detail
    }
  }
}
