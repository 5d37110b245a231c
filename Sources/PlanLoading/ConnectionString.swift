/// Checks a libpq connection string (`host=… port=…` or a `postgresql://` URI) without
/// connecting: its syntax, its keywords, and that it holds no password.
///
/// Passwords never belong in a plan, which is committed to git and printed in dry runs;
/// libpq reads them from `PGPASSWORD` or a password file (`PGPASSFILE`, `~/.pgpass`).
enum ConnectionString {
  /// The keywords libpq accepts (PostgreSQL 13–18).
  static let keywords: [String] = [
    "host", "hostaddr", "port", "dbname", "user", "password", "passfile", "require_auth",
    "channel_binding", "connect_timeout", "client_encoding", "options", "application_name",
    "fallback_application_name", "keepalives", "keepalives_idle", "keepalives_interval",
    "keepalives_count", "tcp_user_timeout", "replication", "gssencmode", "sslmode",
    "sslnegotiation", "requiressl", "sslcompression", "sslcert", "sslkey", "sslcertmode",
    "sslpassword", "sslrootcert", "sslcrl", "sslcrldir", "sslsni", "requirepeer",
    "ssl_min_protocol_version", "ssl_max_protocol_version", "krbsrvname", "gsslib",
    "gssdelegation", "service", "target_session_attrs", "load_balance_hosts",
  ]

  private static let secretKeywords: Set<String> = ["password", "sslpassword"]

  static let passwordProblem =
    "a connection string in a plan must not hold a password; "
    + "libpq reads it from PGPASSWORD or a password file (PGPASSFILE, ~/.pgpass)"

  /// The first problem in `text`, or `nil` when libpq would accept it and it has no password.
  static func problem(in text: String) -> (message: String, suggestion: String?)? {
    if text.hasPrefix("postgresql://") || text.hasPrefix("postgres://") {
      return uriProblem(text)
    }
    switch parseKeywordValues(text) {
    case .failure(let failure):
      return (failure.message, nil)
    case .success(let pairs):
      for (keyword, _) in pairs {
        if secretKeywords.contains(keyword) { return (passwordProblem, nil) }
        if !keywords.contains(keyword) {
          let suggestion = Suggestions.closest(to: keyword, among: keywords)
          return ("unknown connection keyword '\(keyword)'", suggestion)
        }
      }
      return nil
    }
  }

  /// Splits `keyword=value` pairs the way libpq does: whitespace between pairs, values
  /// optionally in single quotes with backslash escapes.
  static func parseKeywordValues(_ text: String) -> Result<[(String, String)], Failure> {
    var pairs: [(String, String)] = []
    var characters = Substring(text)
    func skipSpaces() { characters = characters.drop(while: \.isWhitespace) }
    skipSpaces()
    while !characters.isEmpty {
      let keyword = characters.prefix { $0 != "=" && !$0.isWhitespace }
      characters = characters.dropFirst(keyword.count)
      skipSpaces()
      guard characters.first == "=" else {
        return .failure(
          Failure("missing '=' after '\(keyword)' in the connection string (write keyword=value)"))
      }
      characters = characters.dropFirst()
      skipSpaces()
      var value = ""
      if characters.first == "'" {
        characters = characters.dropFirst()
        var closed = false
        while let character = characters.first {
          characters = characters.dropFirst()
          if character == "\\", let escaped = characters.first {
            value.append(escaped)
            characters = characters.dropFirst()
          } else if character == "'" {
            closed = true
            break
          } else {
            value.append(character)
          }
        }
        guard closed else {
          return .failure(Failure("unterminated quoted value for '\(keyword)' in the connection string"))
        }
      } else {
        while let character = characters.first, !character.isWhitespace {
          characters = characters.dropFirst()
          if character == "\\", let escaped = characters.first {
            value.append(escaped)
            characters = characters.dropFirst()
          } else {
            value.append(character)
          }
        }
      }
      pairs.append((String(keyword), value))
      skipSpaces()
    }
    return .success(pairs)
  }

  private static func uriProblem(_ text: String) -> (message: String, suggestion: String?)? {
    let afterScheme = text.split(separator: "://", maxSplits: 1).last ?? ""
    let authority = afterScheme.prefix { $0 != "/" && $0 != "?" }
    if let at = authority.lastIndex(of: "@"), authority[..<at].contains(":") {
      return (passwordProblem, nil)
    }
    if let query = afterScheme.split(separator: "?", maxSplits: 1).dropFirst().first {
      for parameter in query.split(separator: "&") {
        let keyword = String(parameter.prefix { $0 != "=" })
        if secretKeywords.contains(keyword) { return (passwordProblem, nil) }
      }
    }
    return nil
  }

  struct Failure: Error {
    var message: String
    init(_ message: String) { self.message = message }
  }
}
