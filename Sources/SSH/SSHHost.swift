/// A host reached through the system's `ssh`: `ssh://[user@]host[:port]`.
///
/// A user or port left out is the one `ssh` picks (`~/.ssh/config`, then the local user and
/// port 22).
public struct SSHHost: Hashable, Sendable, CustomStringConvertible {
  /// The remote user, or nil for `ssh`'s choice.
  public var user: String?
  /// The host name or address, as written.
  public var host: String
  /// The port, or nil for `ssh`'s choice.
  public var port: Int?

  public init(user: String? = nil, host: String, port: Int? = nil) {
    self.user = user
    self.host = host
    self.port = port
  }

  /// `ssh://[user@]host[:port]`, an IPv6 address in brackets.
  public var description: String {
    var text = "ssh://"
    if let user { text += user + "@" }
    text += host.contains(":") ? "[\(host)]" : host
    if let port { text += ":\(port)" }
    return text
  }

  /// The URL of a path on the host: `ssh://host/var/backups`.
  public func url(of path: String) -> String {
    description + (path.hasPrefix("/") ? path : "/" + path)
  }

  /// The command that logs in as `ssh` would, for messages: `ssh -p 2222 backup@host`.
  var loginCommand: String {
    var words = ["ssh"]
    if let port { words += ["-p", String(port)] }
    words.append(user.map { "\($0)@\(host)" } ?? host)
    return words.joined(separator: " ")
  }
}
