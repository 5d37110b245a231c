import PlanModel

/// Reads `backups.base` and each of `backups.wal`: an absolute path, `s3://bucket/prefix` or
/// `ssh://[user@]host[:port]/absolute/path`.
///
/// A location never carries a credential (a plan is committed to git and printed in dry
/// runs): one written into a URL is refused, and the message never repeats it.
enum RepositoryLocationParser {
  /// What a location may be, for messages.
  static let accepted = "an absolute path, s3://bucket/prefix or ssh://[user@]host[:port]/absolute/path"

  static let s3CredentialSources =
    "pitr reads S3 credentials only from the environment (AWS_ACCESS_KEY_ID, "
    + "AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN) or AWS_PROFILE's shared credentials file"

  /// The location `text` (already interpolated) names, or why it names none.
  ///
  /// - Parameter path: the key path for messages (`backups.wal[1]`).
  static func parse(_ text: String, path: String) -> Result<RepositoryLocation, FormatProblem> {
    if text.hasPrefix("/") { return .success(.local(path: PathRules.normalize(text))) }
    guard let separator = text.range(of: "://") else {
      return .failure(relativePath(text, path: path))
    }
    let scheme = text[..<separator.lowerBound].lowercased()
    let rest = text[separator.upperBound...]
    switch scheme {
    case "s3": return parseS3(rest, path: path)
    case "ssh": return parseSSH(rest, path: path)
    case "file":
      let local = rest.drop { $0 != "/" }
      return .failure(
        FormatProblem(
          "'\(path)' uses file://; for a folder on this machine write its path itself, such as "
            + "\(local.isEmpty ? "/srv/backups" : String(local))"))
    default:
      let shown =
        scheme.allSatisfy { $0.isLetter || $0.isNumber || "+.-".contains($0) }
        ? "\(scheme)://" : "this kind of URL"
      return .failure(
        FormatProblem(
          "'\(path)' uses \(shown), which pitr cannot read; give \(accepted)"))
    }
  }

  /// A path that is neither absolute nor a URL; `host:/path` (scp's form) gets its URL.
  private static func relativePath(_ text: String, path: String) -> FormatProblem {
    if let colon = text.firstIndex(of: ":"), text[text.index(after: colon)...].hasPrefix("/"),
      !text[..<colon].isEmpty, !text[..<colon].contains("/")
    {
      let authority = text[..<colon]
      if authority.contains(where: { $0 == ":" }) == false {
        return FormatProblem(
          "'\(path)' is written as scp writes it; pitr reads a remote folder from a URL: "
            + "ssh://\(authority)\(text[text.index(after: colon)...])")
      }
    }
    let last = text.split(separator: "/").last ?? "data"
    return FormatProblem(
      "'\(path)' must be an absolute path, not '\(text)'; write it from the root, "
        + "such as /srv/pg/\(last)")
  }

  // MARK: - s3://

  private static func parseS3(_ rest: Substring, path: String) -> Result<RepositoryLocation, FormatProblem> {
    let authority = rest.prefix { $0 != "/" }
    if authority.contains("@") {
      return .failure(
        FormatProblem(
          "'\(path)' holds a credential in its URL; a plan never holds secrets (it is committed "
            + "and printed): write s3://bucket/prefix, and \(s3CredentialSources)"))
    }
    if rest.contains("?") || rest.contains("#") {
      return .failure(
        FormatProblem("'\(path)' has a query or fragment (after '?' or '#'); write s3://bucket/prefix"))
    }
    guard !authority.isEmpty else {
      return .failure(
        FormatProblem("'\(path)' names no bucket; write s3://bucket/prefix, such as s3://backups/pg/wal"))
    }
    let bucket = String(authority)
    if let problem = bucketProblem(bucket) {
      return .failure(
        FormatProblem(
          "'\(bucket)' in '\(path)' is not a bucket name S3 accepts: \(problem)"))
    }
    let prefix = rest.dropFirst(authority.count).split(separator: "/").joined(separator: "/")
    return .success(.s3(bucket: bucket, prefix: prefix))
  }

  /// Why S3 would refuse `bucket` as a bucket name (its general-purpose bucket rules), or nil.
  static func bucketProblem(_ bucket: String) -> String? {
    let rule = "3 to 63 lower-case letters, digits, '.' and '-', starting and ending with a letter or digit"
    let allowed = bucket.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "." || $0 == "-" }
    guard (3...63).contains(bucket.count), allowed,
      let first = bucket.first, let last = bucket.last,
      first.isLetter || first.isNumber, last.isLetter || last.isNumber
    else { return "a bucket name is \(rule)" }
    if bucket.contains("..") { return "two periods in a row are not allowed" }
    let parts = bucket.split(separator: ".", omittingEmptySubsequences: false)
    if parts.count == 4, parts.allSatisfy({ UInt8($0) != nil }) {
      return "a bucket name cannot look like an IP address"
    }
    return nil
  }

  // MARK: - ssh://

  private static func parseSSH(_ rest: Substring, path: String) -> Result<RepositoryLocation, FormatProblem> {
    let authority = rest.prefix { $0 != "/" }
    let remotePath = rest.dropFirst(authority.count)
    var hostPort = authority
    var user: String?
    if let at = authority.lastIndex(of: "@") {
      let userInfo = authority[..<at]
      if userInfo.contains(":") {
        return .failure(
          FormatProblem(
            "'\(path)' holds a password in its URL; a plan never holds secrets (it is committed "
              + "and printed): write ssh://user@host/path, and let ssh authenticate with a key "
              + "(ssh-agent, ~/.ssh/config)"))
      }
      user = userInfo.isEmpty ? nil : String(userInfo)
      hostPort = authority[authority.index(after: at)...]
    }
    if rest.contains("?") || rest.contains("#") {
      return .failure(
        FormatProblem(
          "'\(path)' has a query or fragment (after '?' or '#'); write ssh://[user@]host[:port]/absolute/path"))
    }
    var host = hostPort
    var portText: Substring?
    if hostPort.hasPrefix("["), let close = hostPort.firstIndex(of: "]") {
      host = hostPort[hostPort.index(after: hostPort.startIndex)..<close]
      let after = hostPort[hostPort.index(after: close)...]
      if after.hasPrefix(":") { portText = after.dropFirst() }
    } else if let colon = hostPort.firstIndex(of: ":") {
      host = hostPort[..<colon]
      portText = hostPort[hostPort.index(after: colon)...]
    }
    guard !host.isEmpty else {
      return .failure(
        FormatProblem(
          "'\(path)' names no host; write ssh://[user@]host[:port]/absolute/path, such as "
            + "ssh://backup@backups.example/srv/backups"))
    }
    var port: Int?
    if let portText {
      guard !portText.isEmpty, portText.allSatisfy({ $0.isASCII && $0.isNumber }),
        let number = Int(portText), (1...65535).contains(number)
      else {
        return .failure(
          FormatProblem(
            "'\(path)' has port '\(portText)', which is not a port number (1 to 65535); write "
              + "ssh://\(host):2222/path, or leave the port out to use ssh's own (~/.ssh/config, or 22)"))
      }
      port = number
    }
    if remotePath.isEmpty || remotePath == "/" {
      return .failure(
        FormatProblem(
          "'\(path)' names no folder on \(host); write the absolute path after the host, such as "
            + "ssh://\(authority)/srv/backups"))
    }
    if remotePath.hasPrefix("/~") {
      let below = remotePath.dropFirst().drop { $0 != "/" }
      return .failure(
        FormatProblem(
          "'\(path)' must name an absolute path on \(host), not one in the remote user's home "
            + "('\(remotePath.dropFirst())'); write it from the root, such as "
            + "ssh://\(authority)/home/\(user ?? "backup")\(below)"))
    }
    return .success(
      .ssh(user: user, host: String(host), port: port, path: PathRules.normalize(String(remotePath))))
  }
}

extension RepositoryLocationParser {
  /// Why `text` is not an S3 endpoint URL (`http(s)://host[:port][/path]`, no credentials).
  static func serviceURLProblem(_ text: String, path: String) -> FormatProblem? {
    let lowered = text.lowercased()
    guard let scheme = ["https://", "http://"].first(where: { lowered.hasPrefix($0) }) else {
      return FormatProblem(
        "'\(path)' must be an http:// or https:// URL, such as https://minio.example:9000")
    }
    let authority = text.dropFirst(scheme.count).prefix { $0 != "/" }
    if authority.contains("@") {
      return FormatProblem(
        "'\(path)' holds a credential in its URL; a plan never holds secrets (it is committed "
          + "and printed): \(s3CredentialSources)")
    }
    if authority.isEmpty { return FormatProblem("'\(path)' names no host; write https://host[:port]") }
    return nil
  }
}
