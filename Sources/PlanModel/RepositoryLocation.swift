/// Where a backup repository is (`backups.base`, each of `backups.wal`): a folder on this
/// machine, an S3 bucket and prefix, or a folder on another host reached over SSH.
///
/// Its text (`description`) is the location as the plan wrote it, normalized (a local path
/// without `//`, `.` or a trailing `/`); that text is what diagnostics, the dry run and
/// `pitr catalog` print. A location never holds a credential: the loader refuses one.
public enum RepositoryLocation: Hashable, Sendable, Codable, CustomStringConvertible {
  /// An absolute path on this machine.
  case local(path: String)
  /// Objects under `prefix` (no leading or trailing `/`; empty for the whole bucket).
  case s3(bucket: String, prefix: String)
  /// An absolute path on `host`, read through the system `ssh`; `port` `nil` for ssh's own
  /// choice (`~/.ssh/config`, or 22).
  case ssh(user: String?, host: String, port: Int?, path: String)

  /// The URL schemes a plan may use, for messages.
  public static let schemes = ["s3", "ssh"]

  public var description: String {
    switch self {
    case .local(let path):
      return path
    case .s3(let bucket, let prefix):
      return prefix.isEmpty ? "s3://\(bucket)" : "s3://\(bucket)/\(prefix)"
    case .ssh(let user, let host, let port, let path):
      let userPart = user.map { "\($0)@" } ?? ""
      let hostPart = host.contains(":") ? "[\(host)]" : host
      let portPart = port.map { ":\($0)" } ?? ""
      return "ssh://\(userPart)\(hostPart)\(portPart)\(path)"
    }
  }

  /// The path, when the repository is on this machine.
  public var localPath: String? {
    if case .local(let path) = self { path } else { nil }
  }

  /// The kind of location, for messages: "a local folder", "S3", "SSH".
  public var kindName: String {
    switch self {
    case .local: "a local folder"
    case .s3: "S3"
    case .ssh: "SSH"
    }
  }

  // Encoded as its text, so a local location reads as the plain path it always was.
  public init(from decoder: any Decoder) throws {
    let text = try decoder.singleValueContainer().decode(String.self)
    guard let location = RepositoryLocation(canonical: text) else {
      throw DecodingError.dataCorrupted(
        .init(codingPath: decoder.codingPath, debugDescription: "not a repository location: \(text)"))
    }
    self = location
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(description)
  }

  /// Reads back a location's own `description` (not a plan's text: the loader checks that).
  public init?(canonical text: String) {
    if text.hasPrefix("/") {
      self = .local(path: text)
    } else if text.hasPrefix("s3://") {
      let rest = text.dropFirst(5)
      let bucket = rest.prefix { $0 != "/" }
      guard !bucket.isEmpty else { return nil }
      self = .s3(bucket: String(bucket), prefix: String(rest.dropFirst(bucket.count + 1)))
    } else if text.hasPrefix("ssh://") {
      let rest = text.dropFirst(6)
      guard let slash = rest.firstIndex(of: "/") else { return nil }
      var authority = rest[..<slash]
      var user: String?
      if let at = authority.lastIndex(of: "@") {
        user = String(authority[..<at])
        authority = authority[authority.index(after: at)...]
      }
      var host = authority
      var port: Int?
      if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
        host = authority[authority.index(after: authority.startIndex)..<close]
        let after = authority[authority.index(after: close)...]
        if after.hasPrefix(":") { port = Int(after.dropFirst()) }
      } else if let colon = authority.lastIndex(of: ":") {
        host = authority[..<colon]
        port = Int(authority[authority.index(after: colon)...])
      }
      guard !host.isEmpty else { return nil }
      self = .ssh(user: user, host: String(host), port: port, path: String(rest[slash...]))
    } else {
      return nil
    }
  }
}

/// The plan's optional `backups.s3:` block: how to reach an S3-compatible service. Credentials
/// are never here: they come from AWS_ACCESS_KEY_ID and the other standard places.
public struct S3Options: Hashable, Sendable, Codable {
  /// The service's URL (`https://minio.example:9000`); `nil` for AWS, or AWS_ENDPOINT_URL.
  public var endpoint: Located<String>?
  /// The region requests are signed for; `nil` for AWS_REGION / AWS_DEFAULT_REGION.
  public var region: Located<String>?
  /// Path-style addressing (`endpoint/bucket/key`) instead of virtual-hosted style.
  public var pathStyle: Located<Bool>?

  public init(
    endpoint: Located<String>? = nil, region: Located<String>? = nil,
    pathStyle: Located<Bool>? = nil
  ) {
    self.endpoint = endpoint
    self.region = region
    self.pathStyle = pathStyle
  }
}
