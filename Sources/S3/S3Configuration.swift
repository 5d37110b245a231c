import Foundation

/// Where the S3 API is and how to address buckets there.
public struct S3Configuration: Sendable, Equatable {
  /// The endpoint, `https://s3.REGION.amazonaws.com` for AWS or any S3-compatible service's URL.
  public var endpoint: URL
  /// The region requests are signed for.
  public var region: String
  /// True for `endpoint/bucket/key` (path style, what most S3-compatible services want); false
  /// for `bucket.endpoint/key` (virtual-hosted style, AWS's default).
  public var pathStyle: Bool

  public init(endpoint: URL, region: String, pathStyle: Bool) {
    self.endpoint = endpoint
    self.region = region
    self.pathStyle = pathStyle
  }

  /// The configuration from the standard places, each overridable (a plan's `backups.s3:`).
  ///
  /// Region: `region`, else AWS_REGION, AWS_DEFAULT_REGION, the profile's `region` in the config
  /// file, else `us-east-1`. Endpoint: `endpoint`, else AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL,
  /// the profile's `endpoint_url`, else AWS's for the region. Path style: `pathStyle`, else on for
  /// a custom endpoint and off for AWS's.
  ///
  /// - Throws: ``S3Error`` `.invalidConfiguration` when the endpoint is not an http(s) URL.
  public static func resolve(
    environment: [String: String], endpoint: String? = nil, region: String? = nil,
    pathStyle: Bool? = nil
  ) throws(S3Error) -> S3Configuration {
    let files = SharedConfigFiles.load(environment: environment)
    func nonEmpty(_ value: String?) -> String? { value.flatMap { $0.isEmpty ? nil : $0 } }
    let resolvedRegion =
      nonEmpty(region) ?? nonEmpty(environment["AWS_REGION"]) ?? nonEmpty(environment["AWS_DEFAULT_REGION"])
      ?? nonEmpty(files.configValue("region")) ?? "us-east-1"
    let named: (text: String, source: String)? =
      nonEmpty(endpoint).map { (text: $0, source: "the endpoint") }
      ?? nonEmpty(environment["AWS_ENDPOINT_URL_S3"]).map { (text: $0, source: "AWS_ENDPOINT_URL_S3") }
      ?? nonEmpty(environment["AWS_ENDPOINT_URL"]).map { (text: $0, source: "AWS_ENDPOINT_URL") }
      ?? nonEmpty(files.configValue("endpoint_url")).map { (text: $0, source: "endpoint_url in \(files.configPath)") }
    guard let named else {
      return S3Configuration(
        endpoint: URL(string: "https://s3.\(resolvedRegion).amazonaws.com")!, region: resolvedRegion,
        pathStyle: pathStyle ?? false)
    }
    let trimmed = named.text.hasSuffix("/") ? String(named.text.dropLast()) : named.text
    guard let url = URL(string: trimmed), let scheme = url.scheme?.lowercased(),
      scheme == "http" || scheme == "https", url.host != nil
    else {
      throw S3Error(
        .invalidConfiguration,
        "\(named.source) '\(named.text)' is not an http:// or https:// URL; write it as https://HOST[:PORT]")
    }
    return S3Configuration(endpoint: url, region: resolvedRegion, pathStyle: pathStyle ?? true)
  }
}
