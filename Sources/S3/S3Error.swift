/// Why an S3 request failed, in words a DBA can act on.
///
/// Each ``description`` says what went wrong, on which bucket or key and at which endpoint, and
/// ends with the fix. No message ever holds a secret access key or a session token: the client
/// builds them from names, keys and the server's error code, and ``redacting(_:)`` removes any
/// secret a server might have echoed back.
public struct S3Error: Error, Equatable, Sendable, CustomStringConvertible {
  /// The kind of failure, for callers that react differently to each.
  public enum Kind: String, Equatable, Sendable {
    /// No access key and secret were found in the standard places.
    case noCredentials
    /// The standard places hold something unusable (a half-set pair, a malformed file or URL).
    case invalidConfiguration
    /// The server refused the credentials or the request (403).
    case accessDenied
    /// The bucket does not exist at this endpoint.
    case bucketMissing
    /// The key does not exist in the bucket.
    case keyMissing
    /// The endpoint could not be reached, even after retries.
    case endpointUnreachable
    /// The object's ETag or size changed while it was being read.
    case objectChanged
    /// The server kept failing (5xx, throttling) after every retry.
    case serverError
    /// The server answered something this client cannot read, or refused the request otherwise.
    case unexpectedResponse
    /// libcurl, which s3:// locations need for HTTP, cannot be loaded.
    case httpLibraryMissing
  }

  /// The kind of failure.
  public var kind: Kind
  /// The whole user-facing sentence, fix included.
  public var description: String

  /// An error of `kind` whose message is `description`.
  public init(_ kind: Kind, _ description: String) {
    self.kind = kind
    self.description = description
  }

  /// The same error with every occurrence of each non-empty secret replaced by `****`.
  public func redacting(_ secrets: [String]) -> S3Error {
    var text = description
    for secret in secrets where !secret.isEmpty {
      text = text.replacingOccurrences(of: secret, with: "****")
    }
    return S3Error(kind, text)
  }
}

extension String {
  /// Every occurrence of `target` replaced by `replacement` (no Foundation needed).
  func replacingOccurrences(of target: String, with replacement: String) -> String {
    guard !target.isEmpty else { return self }
    var result = ""
    var rest = self[...]
    while let range = rest.range(of: target) {
      result += rest[..<range.lowerBound]
      result += replacement
      rest = rest[range.upperBound...]
    }
    return result + rest
  }
}
