/// Why a remote listing or read failed; ``description`` is the sentence shown to the user,
/// with the fix when there is one.
public struct SSHError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The kind of problem, for callers that react differently to each.
  public enum Kind: String, Equatable, Sendable {
    /// No connection could be made: refused, timed out, unknown host name.
    case unreachable
    /// The host's key is not in known_hosts (`BatchMode` never adds one).
    case hostKeyUnknown
    /// The host's key differs from the one in known_hosts.
    case hostKeyChanged
    /// The host refused the login: no key it accepts.
    case permissionDenied
    /// `ssh` failed for another reason (exit status 255).
    case connectionFailed
    /// The remote path does not exist.
    case pathMissing
    /// The remote path is not of the kind needed (a folder to list, a file to read).
    case wrongKind
    /// The remote file cannot be read by the remote user.
    case unreadable
    /// A listed file vanished, shrank or grew before it was read to the end.
    case fileChanged
    /// The connection dropped during a stream, and the retries failed too.
    case connectionDropped
    /// The remote command failed (an exit status other than 255).
    case remoteCommandFailed
    /// `ssh` could not be started or its output read.
    case cannotRun
  }

  public var kind: Kind
  public var description: String

  public init(_ kind: Kind, _ description: String) {
    self.kind = kind
    self.description = description
  }

  /// The error for an `ssh` that exited with 255 (its own failure, not the remote command's),
  /// from what it wrote to standard error.
  static func connection(_ host: SSHHost, standardError: String) -> SSHError {
    let said = quoted(standardError)
    if standardError.contains("REMOTE HOST IDENTIFICATION HAS CHANGED") {
      return SSHError(
        .hostKeyChanged,
        "the host key of \(host) does not match the one in known_hosts (ssh said: \(said)); "
          + "if the host was really reinstalled, check its new key's fingerprint and remove "
          + "the old one with `ssh-keygen -R \(knownHostsName(host))`")
    }
    if standardError.contains("Host key verification failed") {
      return SSHError(
        .hostKeyUnknown,
        "the host key of \(host) is not in known_hosts (ssh said: \(said)); pitr runs ssh "
          + "with BatchMode=yes and never accepts a key itself: log in once with "
          + "`\(host.loginCommand)`, check the fingerprint and accept it")
    }
    if standardError.contains("Permission denied") {
      return SSHError(
        .permissionDenied,
        "\(host) refused the login (ssh said: \(said)); pitr runs ssh with BatchMode=yes, so "
          + "it needs a key that logs in without a prompt (from ssh-agent, or an IdentityFile "
          + "without passphrase in ~/.ssh/config) listed in the remote user's authorized_keys")
    }
    let unreachable = [
      "Connection refused", "Connection timed out", "No route to host", "Network is unreachable",
      "Could not resolve hostname", "Name or service not known",
    ]
    if unreachable.contains(where: standardError.contains) {
      return SSHError(
        .unreachable,
        "cannot reach \(host) (ssh said: \(said)); check the host name and port, and that "
          + "sshd runs there")
    }
    return SSHError(.connectionFailed, "ssh to \(host) failed (ssh said: \(said))")
  }

  /// `ssh`'s complaint on one line: its lines joined with " ", carriage returns dropped.
  static func quoted(_ standardError: String) -> String {
    let lines = standardError.split(whereSeparator: \.isNewline)
      .map { $0.trimmingSpaces() }
      .filter { !$0.isEmpty }
    return lines.isEmpty ? "nothing" : lines.joined(separator: " ")
  }

  /// The name known_hosts files use for the host: `host`, or `[host]:port`.
  private static func knownHostsName(_ host: SSHHost) -> String {
    guard let port = host.port, port != 22 else { return host.host }
    return "'[\(host.host)]:\(port)'"
  }
}

extension Substring {
  func trimmingSpaces() -> String {
    String(drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
  }
}
